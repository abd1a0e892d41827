package io.mergelab.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
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
    static final String TOKEN_EMBEDDING = "transformer.wte.weight";
    /** How long a shutdown (SIGTERM) waits for the current step and its resume checkpoint; Slurm's KillWait may cut it shorter. */
    static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(120);

    private final TrainingArgs args;
    private final PrintStream log;
    private final boolean progressBar;
    private final Device device;
    private final MetricsSink metrics;
    private final boolean denseEmbedding;

    public FineTuner(TrainingArgs args, PrintStream log, boolean progressBar) {
        this(args, log, progressBar, null);
    }

    /** @param device where weights, optimizer state and batches live; null: the engine's default */
    public FineTuner(TrainingArgs args, PrintStream log, boolean progressBar, Device device) {
        this(args, log, progressBar, device, MetricsSink.NONE, false);
    }

    private FineTuner(TrainingArgs args, PrintStream log, boolean progressBar, Device device, MetricsSink metrics,
            boolean denseEmbedding) {
        this.denseEmbedding = denseEmbedding;
        this.args = args;
        this.log = log;
        this.progressBar = progressBar;
        this.device = device;
        this.metrics = metrics;
    }

    /** The same trainer, also sending each history entry to {@code sink} as it is logged. */
    public FineTuner withMetrics(MetricsSink sink) {
        return new FineTuner(args, log, progressBar, device, sink, denseEmbedding);
    }

    /** The same trainer with the token embedding's gradient dense, as autograd computes it (tests compare). */
    FineTuner withDenseEmbeddingGradient() {
        return new FineTuner(args, log, progressBar, device, metrics, true);
    }

    public FineTuner(TrainingArgs args) {
        this(args, System.err, true);
    }

    public FineTuneResult run(FineTuneJob job) throws IOException {
        Path out = job.out().toAbsolutePath().normalize();
        boolean created = !Files.exists(out);
        TrainingOutput.prepare(out, job.overwrite(), "fine-tune");
        try {
            return train(job, out);
        } catch (IOException | RuntimeException | Error e) {
            TrainingOutput.removeIfEmpty(out, created, e);
            throw e;
        }
    }

    private FineTuneResult train(FineTuneJob job, Path out) throws IOException {
        if (args.evalStrategy() != TrainingArgs.Strategy.NO && job.validation().isEmpty()) {
            throw new IllegalArgumentException("eval_strategy=" + args.evalStrategy().name().toLowerCase(Locale.ROOT)
                    + " needs a validation split, but it is empty");
        }
        Engine.getInstance(); // loads libtorch before the first JNI call
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
            EmbeddingRows rows = embeddingRows(trainable, manager);
            try (AdamW optimizer = new AdamW(trainable, rows, args.adamBeta1(), args.adamBeta2(),
                    args.adamEpsilon(), args.weightDecay(), manager, true)) {
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
                TrainingLoop loop;
                try (CheckpointOnShutdown stop = CheckpointOnShutdown.install(SHUTDOWN_GRACE, log)) {
                    loop = new TrainingLoop("fine-tuning", args, manager, optimizer, train.size(),
                            objective(classifier, train, pad, rows),
                            state, out, dir -> Gpt2Checkpoints.saveClassifier(classifier, null, dir, false), log,
                            listeners(classifier, validation, manager, pad, job.model(), out, stop), metrics);
                    loop.run();
                }
                return finish(job, out, manager, classifier, loop, train, resumedFrom, validation, test);
            }
        }
    }

    /**
     * The token embedding trained by rows ({@link EmbeddingRows}: same weights, a fraction of the work), when it is
     * trained at all and lives on the CPU; null keeps it dense (GPU, or {@link #withDenseEmbeddingGradient}).
     */
    private EmbeddingRows embeddingRows(List<TrainableParameter> trainable, NDManager manager) {
        if (denseEmbedding || !Device.Type.CPU.equals(manager.getDevice().getDeviceType())) {
            return null;
        }
        for (TrainableParameter p : trainable) {
            if (p.name().equals(TOKEN_EMBEDDING)) {
                p.array().setRequiresGradient(false); // its gradient is collected by rows, not by autograd
                return new EmbeddingRows(p.name(), p.array(), p.decay() && args.weightDecay() != 0);
            }
        }
        return null;
    }

    /** Cross-entropy of the labels against the classifier's logits, on dynamically padded batches. */
    private static TrainingLoop.Objective objective(LoadedClassifier classifier, TokenizedExamples train, int pad,
            EmbeddingRows rows) {
        return (step, idx, drawSeed) -> {
            PaddedBatch batch = PaddedBatch.of(train.rows(), idx, pad);
            long[] labels = new long[idx.length];
            for (int i = 0; i < idx.length; i++) {
                labels[i] = train.labels()[idx[i]];
            }
            NDArray ids = step.create(batch.ids());
            NDArray mask = step.create(batch.mask());
            NDArray y = step.create(labels).reshape(idx.length, 1);
            NDArray logits = classifier.model().logits(new ParameterStore(step, false), ids, mask, true,
                    rows == null ? null : rows::embed);
            return new TrainingLoop.MicroBatch(logits.logSoftmax(1).gather(y, 1).mean().neg(), batch.realTokens());
        };
    }

    /** History, epoch throughput, evaluation with best model and early stopping, progress, checkpoints, SIGTERM. */
    private List<TrainingListener> listeners(LoadedClassifier classifier, TokenizedExamples validation,
            NDManager manager, int pad, Path source, Path out, CheckpointOnShutdown stop) {
        List<TrainingListener> l = new ArrayList<>();
        l.add(new TrainingListeners.DivergenceCheck());
        l.add(new TrainingListeners.History());
        l.add(new TrainingListeners.EpochThroughput());
        if (args.evalStrategy() != TrainingArgs.Strategy.NO) {
            l.add(new TrainingListeners.Evaluation<ClassificationMetrics>(
                    loop -> switch (args.evalStrategy()) {
                        case NO -> false;
                        case EPOCH -> loop.epochEnd();
                        case STEPS -> loop.state().step % args.evalSteps() == 0
                                || loop.state().step == loop.totalSteps();
                    },
                    () -> evaluate(classifier, validation, manager, pad), ClassificationMetrics::scalars,
                    new TrainingListeners.Evaluation.Watch<>(args.metricForBestModel(),
                            m -> m.metric(args.metricForBestModel()), args.greaterIsBetter(),
                            args.earlyStoppingPatience(), () -> {
                                if (args.loadBestModelAtEnd()) {
                                    Gpt2Checkpoints.saveClassifier(classifier, source, out.resolve(BEST), true);
                                }
                            }),
                    (loop, m) -> log.printf(Locale.ROOT, "%nstep %d epoch %.2f: eval_loss %.4f eval_accuracy %.4f "
                            + "eval_f1_macro %.4f%n", loop.state().step, loop.epoch(), m.loss(), m.accuracy(),
                            m.f1Macro())));
        }
        if (progressBar) {
            l.add(new TrainingListeners.Progress("finetune"));
        }
        l.add(new TrainingListeners.PeriodicCheckpoints());
        l.add(new TrainingListeners.StopOnShutdown(stop));
        return l;
    }

    private FineTuneResult finish(FineTuneJob job, Path out, NDManager manager, LoadedClassifier trained,
            TrainingLoop loop, TokenizedExamples train, int resumedFrom, TokenizedExamples validation, TokenizedExamples test) throws IOException {
        TrainingState state = loop.state();
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
        double epochs = (double) state.step / loop.stepsPerEpoch();
        double secondsPerEpoch = epochs > 0 ? state.trainSeconds / epochs : 0;
        double tokensPerSecond = state.trainSeconds > 0 ? state.tokens / state.trainSeconds : 0;
        double trainLoss = state.step > 0 ? state.lossSum / state.step : Double.NaN;

        ObjectNode ts = state.toJson();
        ts.put("total_steps", loop.totalSteps());
        ts.put("steps_per_epoch", loop.stepsPerEpoch());
        ts.put("num_train_examples", train.size());
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
        return new FineTuneResult(out, state.step, loop.stepsPerEpoch(), trainLoss, tokensPerSecond, secondsPerEpoch,
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
