package io.mergelab.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mergelab.data.Example;
import io.mergelab.eval.BatchedClassifier;
import io.mergelab.eval.ClassificationMetrics;
import io.mergelab.eval.Evaluator;
import io.mergelab.eval.PaddedBatch;
import io.mergelab.eval.TokenizedExamples;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.checkpoint.Gpt2Config;
import io.mergelab.model.gpt2.Gpt2Checkpoints;
import io.mergelab.model.gpt2.Gpt2Checkpoints.LoadedClassifier;
import io.mergelab.model.gpt2.Gpt2Tokenizer;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Fine-tunes a GPT-2 sequence classifier as transformers' Trainer does: AdamW (no decay on biases and
 * LayerNorm), warm-up then linear/cosine decay, gradient accumulation, global-norm clipping, dynamic
 * padding, evaluation every epoch or N steps, best-model selection, early stopping, and resumable
 * checkpoints. Same seed → the same weights on CPU, also across a kill and resume: bit-identical with one intra-op
 * thread; with more, libtorch's CPU kernels may round differently under load (bin/native-env's MKL_CBWR=AUTO and
 * MKL_DYNAMIC=FALSE remove most of it; weights are {@link io.mergelab.model.gpt2.TorchOwned}, so their alignment
 * does not depend on what the JVM allocated before).
 *
 * <p>Output in {@code job.out()}: the HF GPT2ForSequenceClassification files, {@code training_state.json}
 * (args, loss/lr/grad-norm/metric history) and {@code metrics.json} (written last: it marks a finished run).
 */
public final class FineTuner {
    static final String METRICS = "metrics.json";
    static final String TRAINING_STATE = "training_state.json";
    static final String BEST = "best";
    /** How long a shutdown (SIGTERM) waits for the current step and its resume checkpoint; Slurm's KillWait may cut it shorter. */
    static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(120);

    private final TrainingArgs args;
    private final PrintStream log;
    private final boolean progressBar;
    private final Device device;

    public FineTuner(TrainingArgs args, PrintStream log, boolean progressBar) {
        this(args, log, progressBar, null);
    }

    /** @param device where weights, optimizer state and batches live; null: the engine's default */
    public FineTuner(TrainingArgs args, PrintStream log, boolean progressBar, Device device) {
        this.args = args;
        this.log = log;
        this.progressBar = progressBar;
        this.device = device;
    }

    public FineTuner(TrainingArgs args) {
        this(args, System.err, true);
    }

    public FineTuneResult run(FineTuneJob job) throws IOException {
        Path out = job.out().toAbsolutePath().normalize();
        TrainingOutput.prepare(out, job.overwrite(), "fine-tune");
        if (args.evalStrategy() != TrainingArgs.Strategy.NO && job.validation().isEmpty()) {
            throw new IllegalArgumentException("eval_strategy=" + args.evalStrategy().name().toLowerCase(Locale.ROOT)
                    + " needs a validation split, but it is empty");
        }
        Engine engine = Engine.getInstance();
        JniUtils.setGradMode(false); // grad mode is per thread; only the GradientCollector turns it on
        ReproducibleMath.warnIfUnset(log);
        Optional<Path> resume = ResumeCheckpoints.latest(out);
        CheckpointDir source = CheckpointDir.open(job.model());
        try (NDManager manager = NDManager.newBaseManager(device)) {
            CheckpointDir weightsFrom = resume.map(p -> CheckpointDir.open(p.resolve(ResumeCheckpoints.MODEL)))
                    .orElse(source);
            LoadedClassifier classifier = Gpt2Checkpoints.loadClassifier(weightsFrom, manager, job.labels(),
                    args.seed(), this::withDropout);
            int pad = classifier.config().padTokenId();
            List<TrainableParameter> trainable = trainableParameters(classifier);
            TokenizedExamples train;
            TokenizedExamples validation;
            TokenizedExamples test;
            try (Gpt2Tokenizer tokenizer = Gpt2Tokenizer.open(job.model(), pad)) {
                int k = job.labels().size();
                train = TokenizedExamples.of(job.train(), tokenizer, args.maxLength(), k);
                validation = TokenizedExamples.of(job.validation(), tokenizer, args.maxLength(), k);
                test = TokenizedExamples.of(job.test(), tokenizer, args.maxLength(), k);
            }
            String fingerprint = fingerprint(job);
            try (AdamW optimizer = new AdamW(trainable, args.adamBeta1(), args.adamBeta2(), args.adamEpsilon(),
                    args.weightDecay(), manager)) {
                TrainingState state;
                if (resume.isPresent()) {
                    state = ResumeCheckpoints.readState(resume.get());
                    TrainingOutput.checkSameRun(resume.get(), state, args, fingerprint);
                    optimizer.load(ResumeCheckpoints.readOptimizer(resume.get()), state.step);
                    log.printf("resuming from %s (step %d)%n", resume.get(), state.step);
                } else {
                    state = new TrainingState();
                    state.meta.put("args", args.effectiveValues());
                    state.meta.put("data", fingerprint);
                }
                int resumedFrom = resume.isPresent() ? state.step : -1;
                Loop loop = new Loop(engine, manager, classifier, optimizer, train, validation, pad, state, out, job);
                try (CheckpointOnShutdown stop = CheckpointOnShutdown.install(SHUTDOWN_GRACE, log, loop.totalSteps)) {
                    loop.run(stop);
                }
                return finish(job, out, manager, classifier, loop, resumedFrom, validation, test);
            }
        }
    }

    /** The training loop proper; one instance per run. */
    private final class Loop {
        final Engine engine;
        final NDManager manager;
        final LoadedClassifier classifier;
        final AdamW optimizer;
        final TokenizedExamples train;
        final TokenizedExamples validation;
        final int pad;
        final TrainingState state;
        final Path out;
        final FineTuneJob job;
        final int batches;
        final int stepsPerEpoch;
        final int totalSteps;
        final LrSchedule schedule;
        final PhaseTimer profile = new PhaseTimer(Boolean.getBoolean("mergelab.train.profile"));

        Loop(Engine engine, NDManager manager, LoadedClassifier classifier, AdamW optimizer, TokenizedExamples train,
                TokenizedExamples validation, int pad, TrainingState state, Path out, FineTuneJob job) {
            this.engine = engine;
            this.manager = manager;
            this.classifier = classifier;
            this.optimizer = optimizer;
            this.train = train;
            this.validation = validation;
            this.pad = pad;
            this.state = state;
            this.out = out;
            this.job = job;
            int bs = args.trainBatchSize();
            batches = (train.size() + bs - 1) / bs;
            int accum = args.gradientAccumulationSteps();
            stepsPerEpoch = (batches + accum - 1) / accum;
            totalSteps = args.maxSteps() > 0 ? args.maxSteps()
                    : (int) Math.ceil(args.numTrainEpochs() * stepsPerEpoch);
            schedule = LrSchedule.of(args, totalSteps);
        }

        /** Trains until the last step, early stopping, or a shutdown request ({@link FineTuneStopped}). */
        void run(CheckpointOnShutdown stop) throws IOException {
            int cachedEpoch = -1;
            int[] order = null;
            ProgressBar bar = progressBar ? new ProgressBarBuilder().setTaskName("finetune")
                    .setInitialMax(totalSteps).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500)
                    .setConsumer(new ConsoleProgressBarConsumer(log)).startsFrom(state.step, java.time.Duration.ZERO)
                    .build() : null;
            try {
                long windowTokens = 0;
                long windowNanos = 0;
                while (state.step < totalSteps && !state.stoppedEarly) {
                    int epoch = state.step / stepsPerEpoch;
                    if (epoch != cachedEpoch) {
                        order = EpochOrder.permutation(train.size(), args.seed(), epoch);
                        cachedEpoch = epoch;
                    }
                    long t0 = System.nanoTime();
                    StepStats s = trainStep(order, state.step % stepsPerEpoch);
                    long dt = System.nanoTime() - t0;
                    double lr = schedule.lr(state.step);
                    state.step++;
                    state.tokens += s.tokens;
                    state.trainSeconds += dt / 1e9;
                    state.lossSum += s.loss;
                    state.windowLossSum += s.loss;
                    state.windowSteps++;
                    windowTokens += s.tokens;
                    windowNanos += dt;
                    double epochFloat = (double) state.step / stepsPerEpoch;
                    if (state.step % args.loggingSteps() == 0 || state.step == totalSteps) {
                        ObjectNode e = state.history.addObject();
                        e.put("step", state.step);
                        e.put("epoch", epochFloat);
                        e.put("loss", state.windowLossSum / state.windowSteps);
                        e.put("learning_rate", lr);
                        e.put("grad_norm", s.gradNorm);
                        ProcessMemory.now().logTo(e);
                        state.windowLossSum = 0;
                        state.windowSteps = 0;
                    }
                    if (bar != null) {
                        bar.stepTo(state.step);
                        bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f lr %.2e %.0f tok/s", s.loss, lr,
                                windowTokens / (windowNanos / 1e9)));
                    }
                    boolean epochEnd = state.step % stepsPerEpoch == 0 || state.step == totalSteps;
                    if (epochEnd) {
                        ObjectNode e = state.history.addObject();
                        e.put("step", state.step);
                        e.put("epoch", epochFloat);
                        e.put("epoch_train_seconds", windowNanos / 1e9);
                        e.put("epoch_tokens_per_second", windowTokens / (windowNanos / 1e9));
                        windowTokens = 0;
                        windowNanos = 0;
                    }
                    boolean evalNow = switch (args.evalStrategy()) {
                        case NO -> false;
                        case EPOCH -> epochEnd;
                        case STEPS -> state.step % args.evalSteps() == 0 || state.step == totalSteps;
                    };
                    if (evalNow) {
                        evaluateAndTrack(epochFloat);
                    }
                    boolean saveNow = switch (args.saveStrategy()) {
                        case NO -> false;
                        case EPOCH -> epochEnd;
                        case STEPS -> epochEnd || state.step % args.saveSteps() == 0;
                    };
                    Path saved = null;
                    if (saveNow && state.step < totalSteps && !state.stoppedEarly) {
                        saved = ResumeCheckpoints.save(out, classifier, optimizer, state);
                    }
                    if (stop.requested()) {
                        // also after the last step: finishing (evaluation, final files) may not fit in Slurm's KillWait
                        Path checkpoint = saved != null ? saved : ResumeCheckpoints.save(out, classifier, optimizer, state);
                        log.printf("stopped after step %d of %d: resume checkpoint %s%n", state.step, totalSteps, checkpoint);
                        throw new FineTuneStopped(state.step, totalSteps, checkpoint);
                    }
                }
            } finally {
                if (bar != null) {
                    bar.close();
                }
            }
        }

        private record StepStats(double loss, double gradNorm, long tokens) {}

        /** One optimiser step: the step's micro-batches forward/backward, clip, AdamW, zero grads. */
        private StepStats trainStep(int[] order, int stepInEpoch) {
            int accum = args.gradientAccumulationSteps();
            int first = stepInEpoch * accum;
            int last = Math.min(batches, first + accum);
            int micro = last - first;
            int bs = args.trainBatchSize();
            engine.setRandomSeed((int) (EpochOrder.stepSeed(args.seed(), state.step) >>> 32)); // dropout: a function of the step
            double loss = 0;
            long tokens = 0;
            profile.lap("other");
            for (int b = first; b < last; b++) {
                int start = b * bs;
                int end = Math.min(train.size(), start + bs);
                int[] idx = java.util.Arrays.copyOfRange(order, start, end);
                PaddedBatch batch = PaddedBatch.of(train.rows(), idx, pad);
                tokens += batch.realTokens();
                long[] labels = new long[idx.length];
                for (int i = 0; i < idx.length; i++) {
                    labels[i] = train.labels()[idx[i]];
                }
                try (NDManager step = manager.newSubManager();
                        GradientCollector gc = engine.newGradientCollector()) {
                    NDArray ids = step.create(batch.ids());
                    NDArray mask = step.create(batch.mask());
                    NDArray y = step.create(labels).reshape(idx.length, 1);
                    NDArray logits = classifier.model()
                            .forward(new ParameterStore(step, false), new NDList(ids, mask), true).singletonOrThrow();
                    NDArray l = logits.logSoftmax(1).gather(y, 1).mean().neg();
                    loss += l.getFloat() / micro;
                    profile.lap("forward");
                    gc.backward(l.div(io.mergelab.model.gpt2.TorchScalar.of(l, micro)));
                    profile.lap("backward");
                }
            }
            double norm = GradientClipping.clipGlobalNorm(optimizer.parameters(), args.maxGradNorm());
            profile.lap("clip");
            optimizer.step(schedule.lr(state.step));
            profile.lap("adamw");
            optimizer.zeroGrad();
            profile.lap("zero_grad");
            profile.report(state.step, log);
            return new StepStats(loss, norm, tokens);
        }

        private void evaluateAndTrack(double epochFloat) throws IOException {
            ClassificationMetrics m = evaluate(classifier, validation, manager, pad);
            ObjectNode e = state.history.addObject();
            e.put("step", state.step);
            e.put("epoch", epochFloat);
            m.scalars().forEach((k, v) -> e.put("eval_" + k, v));
            double value = m.metric(args.metricForBestModel());
            boolean better = state.bestMetric == null
                    || (args.greaterIsBetter() ? value > state.bestMetric : value < state.bestMetric);
            if (better) {
                state.bestMetric = value;
                state.bestStep = state.step;
                state.evalsWithoutImprovement = 0;
                if (args.loadBestModelAtEnd()) {
                    Gpt2Checkpoints.saveClassifier(classifier, job.model(), out.resolve(BEST), true);
                }
            } else {
                state.evalsWithoutImprovement++;
                if (args.earlyStoppingPatience() > 0 && state.evalsWithoutImprovement >= args.earlyStoppingPatience()) {
                    state.stoppedEarly = true;
                    log.printf(Locale.ROOT, "early stopping at step %d: eval_%s did not improve for %d evaluations (best %.6f at "
                            + "step %d)%n", state.step, args.metricForBestModel(), state.evalsWithoutImprovement,
                            state.bestMetric, state.bestStep);
                }
            }
            log.printf(Locale.ROOT, "%nstep %d epoch %.2f: eval_loss %.4f eval_accuracy %.4f eval_f1_macro %.4f%n",
                    state.step, epochFloat, m.loss(), m.accuracy(), m.f1Macro());
        }
    }

    private FineTuneResult finish(FineTuneJob job, Path out, NDManager manager, LoadedClassifier trained, Loop loop,
            int resumedFrom, TokenizedExamples validation, TokenizedExamples test) throws IOException {
        TrainingState state = loop.state;
        Path best = out.resolve(BEST);
        boolean useBest = args.loadBestModelAtEnd() && Files.isDirectory(best);
        Path staged = out.resolve(".final-model-" + ProcessHandle.current().pid());
        ResumeCheckpoints.deleteRecursively(staged);
        if (useBest) {
            Files.move(best, staged, StandardCopyOption.ATOMIC_MOVE);
        } else {
            Gpt2Checkpoints.saveClassifier(trained, job.model(), staged, false);
        }
        // the model's files go straight into OUT (which also holds checkpoints/), one atomic rename each
        try (Stream<Path> files = Files.list(staged)) {
            for (Path f : files.toList()) {
                Files.move(f, out.resolve(f.getFileName()), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            }
        }
        ResumeCheckpoints.deleteRecursively(staged);

        ClassificationMetrics valMetrics = null;
        ClassificationMetrics testMetrics = null;
        LoadedClassifier fin = useBest
                ? Gpt2Checkpoints.loadClassifier(CheckpointDir.open(out), manager, job.labels(), args.seed())
                : trained;
        int pad = fin.config().padTokenId();
        if (validation.size() > 0) {
            valMetrics = evaluate(fin, validation, manager, pad);
        }
        if (test.size() > 0) {
            testMetrics = evaluate(fin, test, manager, pad);
        }
        double epochs = (double) state.step / loop.stepsPerEpoch;
        double secondsPerEpoch = epochs > 0 ? state.trainSeconds / epochs : 0;
        double tokensPerSecond = state.trainSeconds > 0 ? state.tokens / state.trainSeconds : 0;
        double trainLoss = state.step > 0 ? state.lossSum / state.step : Double.NaN;

        ObjectNode ts = state.toJson();
        ts.put("total_steps", loop.totalSteps);
        ts.put("steps_per_epoch", loop.stepsPerEpoch);
        ts.put("num_train_examples", loop.train.size());
        ts.put("model", job.model().toAbsolutePath().toString());
        Evaluator.writeAtomically(out.resolve(TRAINING_STATE),
                TrainingState.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(ts) + "\n");

        ObjectNode metrics = TrainingState.MAPPER.createObjectNode();
        metrics.put("train_loss", trainLoss);
        metrics.put("train_steps", state.step);
        metrics.put("epochs", epochs);
        metrics.put("train_runtime", state.trainSeconds);
        metrics.put("train_seconds_per_epoch", secondsPerEpoch);
        metrics.put("train_tokens_per_second", tokensPerSecond);
        metrics.put("stopped_early", state.stoppedEarly);
        metrics.put("best_step", state.bestStep);
        if (state.bestMetric != null) {
            metrics.put("best_metric", state.bestMetric);
        }
        if (valMetrics != null) {
            metrics.set("validation", valMetrics.toJson(TrainingState.MAPPER));
        }
        if (testMetrics != null) {
            metrics.set("test", testMetrics.toJson(TrainingState.MAPPER));
        }
        Evaluator.writeAtomically(out.resolve(METRICS),
                TrainingState.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(metrics) + "\n");
        ResumeCheckpoints.deleteRecursively(out.resolve(ResumeCheckpoints.DIR));
        log.printf(Locale.ROOT, "fine-tuned %d steps (%.2f epochs) in %.1f s: train_loss %.4f, %.0f tokens/s%s%s%n",
                state.step, epochs, state.trainSeconds, trainLoss, tokensPerSecond,
                valMetrics == null ? "" : String.format(Locale.ROOT, ", validation accuracy %.4f", valMetrics.accuracy()),
                testMetrics == null ? "" : String.format(Locale.ROOT, ", test accuracy %.4f", testMetrics.accuracy()));
        return new FineTuneResult(out, state.step, loop.stepsPerEpoch, trainLoss, tokensPerSecond, secondsPerEpoch,
                state.stoppedEarly, state.bestStep, resumedFrom, valMetrics, testMetrics);
    }

    private ClassificationMetrics evaluate(LoadedClassifier c, TokenizedExamples data, NDManager manager, int pad) {
        float[][] logits = new BatchedClassifier(c.model(), pad, args.evalBatchSize()).logits(data.rows(), manager);
        return ClassificationMetrics.compute(c.config().labelList(), data.labels(), logits);
    }

    /** Applies the dropout overrides to the checkpoint's config (they are saved with the fine-tuned model). */
    private Gpt2Config withDropout(Gpt2Config c) {
        return args.applyDropout(c);
    }

    /** Parameters to train per freeze / train_last_n_layers; marks them as needing gradients. */
    private List<TrainableParameter> trainableParameters(LoadedClassifier c) {
        int nLayer = c.config().nLayer();
        int lastN = args.trainLastNLayers();
        List<TrainableParameter> out = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : c.model().namedParameters().entrySet()) {
            String name = e.getKey();
            boolean train;
            if (args.freeze() == TrainingArgs.Freeze.BACKBONE) {
                train = name.startsWith("score.");
            } else if (lastN >= 0) {
                train = name.startsWith("score.") || (lastN > 0 && name.startsWith("transformer.ln_f."))
                        || layerOf(name) >= nLayer - lastN;
            } else {
                train = true;
            }
            if (train) {
                e.getValue().getArray().setRequiresGradient(true);
                out.add(new TrainableParameter(name, e.getValue().getArray(), TrainableParameter.decays(name)));
            }
        }
        return out;
    }

    private static int layerOf(String name) {
        String prefix = "transformer.h.";
        if (!name.startsWith(prefix)) {
            return -1;
        }
        int dot = name.indexOf('.', prefix.length());
        return Integer.parseInt(name.substring(prefix.length(), dot));
    }

    private static String fingerprint(FineTuneJob job) {
        return "train=" + job.train().size() + ":" + Integer.toHexString(hash(job.train()))
                + " validation=" + job.validation().size() + ":" + Integer.toHexString(hash(job.validation()))
                + " labels=" + job.labels();
    }

    private static int hash(List<Example> examples) {
        int h = 1;
        for (Example e : examples) {
            h = 31 * h + e.text().hashCode();
            h = 31 * h + e.label();
        }
        return h;
    }
}
