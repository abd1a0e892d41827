package io.mergelab.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mergelab.model.gpt2.TorchScalar;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one training loop behind fine-tuning and pre-training, as transformers' Trainer steps: seeded epoch order,
 * gradient accumulation over micro-batches, global-norm clipping, AdamW at the scheduled rate. What is trained is an
 * {@link Objective}; everything else a run does at a step boundary (history, evaluation, checkpoints, the shutdown
 * checkpoint, the divergence check, the progress bar) is a {@link TrainingListener}.
 */
final class TrainingLoop {
    /** One micro-batch's mean loss (in the graph, for backward) and the real tokens it covered. */
    record MicroBatch(NDArray loss, long tokens) {}

    /** What is trained: the loss of a micro-batch of the training rows. */
    @FunctionalInterface
    interface Objective {
        /**
         * @param rows     indices of the rows in this micro-batch
         * @param drawSeed a seed for anything the objective draws at random (a sampled softmax's candidates): a
         *                 function of the step and micro-batch, so a resumed run draws the same
         */
        MicroBatch loss(NDManager step, int[] rows, long drawSeed);
    }

    /**
     * One optimiser step as listeners see it.
     *
     * @param step    1-based number of this step
     * @param seconds forward, backward and update time
     */
    record StepResult(int step, double loss, double gradNorm, long tokens, double learningRate, double seconds) {}

    private final String what;
    private final TrainingArgs args;
    private final Engine engine;
    private final NDManager manager;
    private final AdamW optimizer;
    private final int rows;
    private final Objective objective;
    private final TrainingState state;
    private final Path out;
    private final ResumeCheckpoints.ModelSaver saver;
    private final PrintStream log;
    private final List<TrainingListener> listeners;
    private final MetricsSink sink;
    private final int batches;
    private final int stepsPerEpoch;
    private final int totalSteps;
    private final LrSchedule schedule;
    private final PhaseTimer profile = new PhaseTimer(Boolean.getBoolean("mergelab.train.profile"));
    private int savedAt = -1;
    private Path lastSaved;

    /**
     * @param what  "fine-tuning" or "pre-training", for messages
     * @param rows    the number of training rows (examples, blocks) an epoch goes through
     * @param manager the weights' manager; each micro-batch computes in a sub-manager of it, closed after backward
     * @param saver   writes the model's files into a resume checkpoint
     * @param sink    receives each history entry as it is logged
     */
    TrainingLoop(String what, TrainingArgs args, NDManager manager, AdamW optimizer, int rows, Objective objective,
            TrainingState state, Path out,
            ResumeCheckpoints.ModelSaver saver, PrintStream log, List<TrainingListener> listeners, MetricsSink sink) {
        this.what = what;
        this.args = args;
        this.engine = Engine.getInstance();
        this.manager = manager;
        this.optimizer = optimizer;
        this.rows = rows;
        this.objective = objective;
        this.state = state;
        this.out = out;
        this.saver = saver;
        this.log = log;
        this.listeners = List.copyOf(listeners);
        this.sink = sink;
        int bs = args.trainBatchSize();
        batches = (rows + bs - 1) / bs;
        int accum = args.gradientAccumulationSteps();
        stepsPerEpoch = (batches + accum - 1) / accum;
        totalSteps = args.maxSteps() > 0 ? args.maxSteps() : (int) Math.ceil(args.numTrainEpochs() * stepsPerEpoch);
        schedule = LrSchedule.of(args, totalSteps);
    }

    String what() {
        return what;
    }

    TrainingArgs args() {
        return args;
    }

    TrainingState state() {
        return state;
    }

    PrintStream log() {
        return log;
    }

    int stepsPerEpoch() {
        return stepsPerEpoch;
    }

    int totalSteps() {
        return totalSteps;
    }

    /** Epochs done, fractional. */
    double epoch() {
        return (double) state.step / stepsPerEpoch;
    }

    /** The step just done ends an epoch (or the run). */
    boolean epochEnd() {
        return state.step % stepsPerEpoch == 0 || state.step == totalSteps;
    }

    /** Writes a resume checkpoint of the step just done. */
    Path saveCheckpoint() throws IOException {
        syncWeights();
        lastSaved = ResumeCheckpoints.save(out, saver, optimizer, state);
        savedAt = state.step;
        return lastSaved;
    }

    /** The checkpoint of the step just done, if one was written. */
    Path checkpointOfThisStep() {
        return savedAt == state.step ? lastSaved : null;
    }

    /** The newest resume checkpoint on disk (this run's or an earlier attempt's), or null. */
    Path latestCheckpoint() {
        return ResumeCheckpoints.latest(out).orElse(null);
    }

    /**
     * Makes the weights whole for a reader outside the step (an evaluation, a save): the optimiser may defer
     * work on rows no step has used ({@link EmbeddingRows}).
     */
    void syncWeights() {
        optimizer.syncWeights();
    }

    /** Hands a history entry's numbers to the sink, at the entry's step (live tracking). */
    void publish(ObjectNode entry) {
        Map<String, Double> values = new LinkedHashMap<>();
        entry.properties().forEach(f -> {
            if (f.getValue().isNumber() && !f.getKey().equals("step")) {
                values.put(f.getKey(), f.getValue().asDouble());
            }
        });
        sink.log(entry.path("step").asLong(), values);
    }

    /** Trains until the last step, early stopping ({@code state.stoppedEarly}) or a listener's exception. */
    void run() throws IOException {
        int cachedEpoch = -1;
        int[] order = null;
        try {
            while (state.step < totalSteps && !state.stoppedEarly) {
                int epoch = state.step / stepsPerEpoch;
                if (epoch != cachedEpoch) {
                    order = EpochOrder.permutation(rows, args.seed(), epoch);
                    cachedEpoch = epoch;
                }
                long t0 = System.nanoTime();
                StepResult s = trainStep(order, state.step % stepsPerEpoch, t0);
                state.step++;
                state.tokens += s.tokens();
                state.trainSeconds += s.seconds();
                state.lossSum += s.loss();
                state.windowLossSum += s.loss();
                state.windowSteps++;
                int logged = state.history.size();
                for (TrainingListener l : listeners) {
                    l.onStep(this, s);
                }
                for (int i = logged; i < state.history.size(); i++) {
                    publish((ObjectNode) state.history.get(i));
                }
            }
        } finally {
            syncWeights();
            for (TrainingListener l : listeners) {
                l.onEnd(this);
            }
        }
    }

    /** One optimiser step: the step's micro-batches forward/backward, clip, AdamW, zero grads. */
    private StepResult trainStep(int[] order, int stepInEpoch, long t0) {
        int accum = args.gradientAccumulationSteps();
        int bs = args.trainBatchSize();
        int first = stepInEpoch * accum;
        int last = Math.min(batches, first + accum);
        int micro = last - first;
        long stepSeed = EpochOrder.stepSeed(args.seed(), state.step);
        engine.setRandomSeed((int) (stepSeed >>> 32)); // dropout: a function of the step
        double loss = 0;
        long tokens = 0;
        profile.lap("other");
        for (int b = first; b < last; b++) {
            int[] idx = Arrays.copyOfRange(order, b * bs, Math.min(rows, (b + 1) * bs));
            try (NDManager step = manager.newSubManager();
                    GradientCollector gc = engine.newGradientCollector()) {
                MicroBatch m = objective.loss(step, idx, stepSeed ^ b);
                tokens += m.tokens();
                loss += m.loss().getFloat() / micro;
                profile.lap("forward");
                gc.backward(m.loss().div(TorchScalar.of(m.loss(), micro)));
                optimizer.afterBackward();
                profile.lap("backward");
            }
        }
        double norm = optimizer.clipGradients(args.maxGradNorm());
        profile.lap("clip");
        double lr = schedule.lr(state.step);
        StepResult pending = new StepResult(state.step + 1, loss, norm, tokens, lr, 0);
        for (TrainingListener l : listeners) {
            l.beforeUpdate(this, pending);
        }
        optimizer.step(lr);
        profile.lap("adamw");
        optimizer.zeroGrad();
        profile.lap("zero_grad");
        profile.report(state.step, log); // steps done before this one: "profile step 10" prints during step 11
        return new StepResult(state.step + 1, loss, norm, tokens, lr, (System.nanoTime() - t0) / 1e9);
    }
}
