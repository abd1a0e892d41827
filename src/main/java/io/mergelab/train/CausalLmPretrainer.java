package io.mergelab.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mergelab.eval.Evaluator;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.checkpoint.Gpt2Config;
import io.mergelab.model.gpt2.Gpt2Checkpoints;
import io.mergelab.model.gpt2.Gpt2Checkpoints.LoadedLanguageModel;
import io.mergelab.model.gpt2.Gpt2LmHeadModel;
import io.mergelab.model.gpt2.Gpt2Tokenizer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Causal-LM pre-training of a GPT-2 (LM head tied to wte) as transformers' run_clm does it: documents joined
 * with end-of-text and cut into blocks of {@code max_length} tokens, next-token cross-entropy, the same AdamW,
 * schedule, clipping, seeded order/dropout and resumable checkpoints as {@link FineTuner}. A seeded share of
 * the documents (not blocks, so no text leaks across) is held out; its perplexity is reported before and after.
 *
 * <p>Output in {@code job.out()}: an HF GPT2LMHeadModel dir, {@code training_state.json} and
 * {@code metrics.json} (written last: it marks a finished run).
 */
public final class CausalLmPretrainer {
    /** Defaults for pre-training a small GPT-2 from random weights; explicit arguments win. */
    public static final Map<String, Object> DEFAULTS = Map.of("learning_rate", 1e-3, "max_steps", 300,
            "per_device_train_batch_size", 16, "per_device_eval_batch_size", 16, "max_length", 64,
            "warmup_ratio", 0.05, "weight_decay", 0.01, "lr_scheduler_type", "cosine", "save_steps", 100);
    /**
     * Held-out perplexity is measured on at most this many blocks: 5 % of a 50 000-review corpus is 5 700 blocks,
     * whose two evaluations took longer than the training they bracket. The blocks kept are the first in file
     * order, so with several corpus files the measure leans on the first one.
     */
    static final int MAX_HELD_OUT_BLOCKS = 512;

    private final TrainingArgs args;
    private final PrintStream log;
    private final boolean progressBar;
    private final SampledSoftmax sampled;
    private final UnaryOperator<TrainingLoop.Objective> instrument;
    private final MetricsSink metrics;

    public CausalLmPretrainer(TrainingArgs args, PrintStream log, boolean progressBar) {
        this(args, log, progressBar, null);
    }

    /** @param sampled train with a sampled softmax over the batch's candidates; null for the full vocabulary */
    public CausalLmPretrainer(TrainingArgs args, PrintStream log, boolean progressBar, SampledSoftmax sampled) {
        this(args, log, progressBar, sampled, UnaryOperator.identity());
    }

    /** @param instrument wraps the training objective (tests inject a diverging loss with it) */
    CausalLmPretrainer(TrainingArgs args, PrintStream log, boolean progressBar, SampledSoftmax sampled,
            UnaryOperator<TrainingLoop.Objective> instrument) {
        this(args, log, progressBar, sampled, instrument, MetricsSink.NONE);
    }

    private CausalLmPretrainer(TrainingArgs args, PrintStream log, boolean progressBar, SampledSoftmax sampled,
            UnaryOperator<TrainingLoop.Objective> instrument, MetricsSink metrics) {
        this.args = args;
        this.log = log;
        this.progressBar = progressBar;
        this.sampled = sampled;
        this.instrument = instrument;
        this.metrics = metrics;
    }

    /** The same pre-trainer, also sending each history entry to {@code sink} as it is logged. */
    public CausalLmPretrainer withMetrics(MetricsSink sink) {
        return new CausalLmPretrainer(args, log, progressBar, sampled, instrument, sink);
    }

    /** {@link #DEFAULTS} overlaid with {@code explicit} (transformers' TrainingArguments names). */
    public static TrainingArgs arguments(Map<String, Object> explicit) {
        Map<String, Object> m = new java.util.LinkedHashMap<>(DEFAULTS);
        if (explicit.containsKey("num_train_epochs") && !explicit.containsKey("max_steps")) {
            m.remove("max_steps"); // epochs given alone: they decide the length, as in transformers
        }
        m.putAll(explicit);
        return TrainingArgs.fromMap(m);
    }

    public PretrainResult run(PretrainJob job) throws IOException {
        Split split = split(job);
        TokenBlocks train;
        TokenBlocks heldOut;
        int eos = eosOf(CheckpointDir.open(job.model()).config());
        try (Gpt2Tokenizer tokenizer = Gpt2Tokenizer.open(job.model(), eos)) {
            train = TokenBlocks.pack(split.train, tokenizer, args.maxLength(), eos);
            heldOut = TokenBlocks.pack(split.heldOut, tokenizer, args.maxLength(), eos).first(MAX_HELD_OUT_BLOCKS);
        }
        if (train.size() == 0 || heldOut.size() == 0) {
            throw new IllegalArgumentException("corpus too small: " + train.size() + " training and "
                    + heldOut.size() + " held-out blocks of max_length=" + args.maxLength()
                    + " tokens; give more text or a smaller max_length");
        }
        log.printf(Locale.ROOT, "pre-training on %d documents: %d train blocks (%d tokens), %d held-out blocks "
                + "(%d tokens) of %d tokens%n", job.documents().size(), train.size(), train.tokens(),
                heldOut.size(), heldOut.tokens(), args.maxLength());
        return run(job.model(), job.out(), job.overwrite(), train, heldOut, fingerprint(split));
    }

    private static int eosOf(Gpt2Config c) {
        return c.eosTokenId() != null ? c.eosTokenId() : Gpt2Config.GPT2_EOS;
    }

    /** Trains on blocks already made; {@code fingerprint} names the data, so a resume with other data is refused. */
    PretrainResult run(Path model, Path outDir, boolean overwrite, TokenBlocks train, TokenBlocks heldOut,
            String fingerprint) throws IOException {
        Path out = outDir.toAbsolutePath().normalize();
        boolean created = !Files.exists(out);
        TrainingOutput.prepare(out, overwrite, "pre-training");
        try {
            return train(model, out, train, heldOut, fingerprint);
        } catch (IOException | RuntimeException | Error e) {
            TrainingOutput.removeIfEmpty(out, created, e);
            throw e;
        }
    }

    private PretrainResult train(Path model, Path out, TokenBlocks train, TokenBlocks heldOut, String fingerprint)
            throws IOException {
        if (sampled != null) { // part of what a resume must match
            fingerprint = fingerprint + " sampled_softmax=" + sampled.negatives();
        }
        Engine.getInstance(); // loads libtorch before the first JNI call
        JniUtils.setGradMode(false); // grad mode is per thread; only the GradientCollector turns it on
        ReproducibleMath.warnIfUnset(log);
        Optional<Path> resume = ResumeCheckpoints.latest(out);
        CheckpointDir source = CheckpointDir.open(model);
        try (NDManager manager = NDManager.newBaseManager()) {
            CheckpointDir weightsFrom = resume.map(p -> CheckpointDir.open(p.resolve(ResumeCheckpoints.MODEL)))
                    .orElse(source);
            LoadedLanguageModel lm = Gpt2Checkpoints.loadLanguageModel(weightsFrom, manager, args::applyDropout);
            List<TrainableParameter> trainable = new ArrayList<>();
            for (Map.Entry<String, Parameter> e : lm.model().namedParameters().entrySet()) {
                e.getValue().getArray().setRequiresGradient(true);
                trainable.add(new TrainableParameter(e.getKey(), e.getValue().getArray(),
                        TrainableParameter.decays(e.getKey())));
            }
            try (AdamW optimizer = new AdamW(trainable, args.adamBeta1(), args.adamBeta2(), args.adamEpsilon(),
                    args.weightDecay(), manager)) {
                TrainingState state;
                double initialLoss = Double.NaN;
                if (resume.isPresent()) {
                    state = ResumeCheckpoints.readState(resume.get());
                    TrainingOutput.checkSameRun(resume.get(), state, args, fingerprint);
                    optimizer.load(ResumeCheckpoints.readOptimizer(resume.get()), state.step);
                    log.printf("resuming from %s (step %d)%n", resume.get(), state.step);
                    Object init = state.meta.get("initial_heldout_loss");
                    initialLoss = init instanceof Number n ? n.doubleValue() : Double.NaN;
                } else {
                    state = new TrainingState();
                    state.meta.put("args", args.effectiveValues());
                    state.meta.put("data", fingerprint);
                    initialLoss = heldOutLoss(lm.model(), heldOut, manager);
                    state.meta.put("initial_heldout_loss", initialLoss);
                    log.printf(Locale.ROOT, "held-out perplexity before training: %.1f%n", Math.exp(initialLoss));
                }
                int resumedFrom = resume.isPresent() ? state.step : -1;
                TrainingLoop loop;
                try (CheckpointOnShutdown stop = CheckpointOnShutdown.install(FineTuner.SHUTDOWN_GRACE, log)) {
                    loop = new TrainingLoop("pre-training", args, manager, optimizer, train.size(),
                            instrument.apply(objective(lm, train)),
                            state, out, dir -> Gpt2Checkpoints.saveLanguageModel(lm, null, dir, false), log,
                            listeners(lm.model(), heldOut, manager, stop), metrics);
                    loop.run();
                }
                return finish(model, out, manager, lm, loop, train, heldOut, resumedFrom, initialLoss);
            }
        }
    }

    /** Next-token cross-entropy of token blocks, over the whole vocabulary or a sampled softmax's candidates. */
    private TrainingLoop.Objective objective(LoadedLanguageModel lm, TokenBlocks train) {
        return (step, idx, drawSeed) -> {
            long[][] rows = train.rows(idx);
            ParameterStore ps = new ParameterStore(step, false);
            NDArray l = sampled == null ? meanLoss(lm.model(), ps, step.create(rows), true)
                    : sampled.meanLoss(lm.model(), ps, step, rows, drawSeed, true);
            return new TrainingLoop.MicroBatch(l, (long) rows.length * rows[0].length);
        };
    }

    /** History, held-out loss every eval_steps (with eval_strategy=steps), progress, checkpoints, SIGTERM. */
    private List<TrainingListener> listeners(Gpt2LmHeadModel model, TokenBlocks heldOut, NDManager manager,
            CheckpointOnShutdown stop) {
        List<TrainingListener> l = new ArrayList<>();
        l.add(new TrainingListeners.DivergenceCheck());
        l.add(new TrainingListeners.History());
        if (args.evalStrategy() == TrainingArgs.Strategy.STEPS) { // the last step's is measured by finish()
            l.add(new TrainingListeners.Evaluation<Double>(
                    loop -> loop.state().step % args.evalSteps() == 0 && loop.state().step < loop.totalSteps(),
                    () -> heldOutLoss(model, heldOut, manager), CausalLmPretrainer::heldOutScalars, null, null));
        }
        if (progressBar) {
            l.add(new TrainingListeners.Progress("pretrain"));
        }
        l.add(new TrainingListeners.PeriodicCheckpoints());
        l.add(new TrainingListeners.StopOnShutdown(stop));
        return l;
    }

    private static Map<String, Double> heldOutScalars(double loss) {
        Map<String, Double> m = new java.util.LinkedHashMap<>();
        m.put("loss", loss);
        m.put("perplexity", Math.exp(loss));
        return m;
    }

    /**
     * Mean next-token cross-entropy of {@code ids} [B, T] (targets are the ids shifted by one, every position
     * counts), as transformers' GPT2LMHeadModel computes its loss with {@code labels=input_ids}.
     */
    public static NDArray meanLoss(Gpt2LmHeadModel model, ParameterStore ps, NDArray ids, boolean training) {
        long t = ids.getShape().get(1);
        // causal attention: the last token is only ever a target, so the model reads the first t-1 (transformers
        // computes the last position's logits and ignores them; skipping them spares a [B, T, vocab] copy and
        // its backward)
        NDArray inputs = ids.get(":, :" + (t - 1));
        NDArray logits = model.forward(ps, new NDList(inputs), training).singletonOrThrow();
        NDArray targets = ids.get(":, 1:").expandDims(2);
        return logits.logSoftmax(2).gather(targets, 2).mean().neg();
    }

    /** Mean next-token loss over all held-out blocks (no gradients, no dropout). */
    static double heldOutLoss(Gpt2LmHeadModel model, TokenBlocks blocks, NDManager manager, int batchSize) {
        double sum = 0;
        long count = 0;
        for (int start = 0; start < blocks.size(); start += batchSize) {
            int[] idx = java.util.stream.IntStream.range(start, Math.min(blocks.size(), start + batchSize)).toArray();
            try (NDManager step = manager.newSubManager()) {
                NDArray ids = step.create(blocks.rows(idx));
                double mean = meanLoss(model, new ParameterStore(step, false), ids, false).getFloat();
                long targets = (long) idx.length * (ids.getShape().get(1) - 1);
                sum += mean * targets;
                count += targets;
            }
        }
        return sum / count;
    }

    private double heldOutLoss(Gpt2LmHeadModel model, TokenBlocks blocks, NDManager manager) {
        return heldOutLoss(model, blocks, manager, args.evalBatchSize());
    }

    private PretrainResult finish(Path model, Path out, NDManager manager, LoadedLanguageModel lm, TrainingLoop loop,
            TokenBlocks train, TokenBlocks heldOut, int resumedFrom, double initialLoss) throws IOException {
        TrainingState state = loop.state();
        double heldOutLoss = heldOutLoss(lm.model(), heldOut, manager);
        ObjectNode last = state.history.addObject();
        last.put("step", state.step);
        last.put("epoch", loop.epoch());
        heldOutScalars(heldOutLoss).forEach((k, v) -> last.put("eval_" + k, v));
        loop.publish(last);
        Path staged = out.resolve(".final-model-" + ProcessHandle.current().pid());
        ResumeCheckpoints.deleteRecursively(staged);
        Gpt2Checkpoints.saveLanguageModel(lm, model, staged, false);
        // the model's files go straight into OUT (which also holds checkpoints/), one atomic rename each
        try (Stream<Path> files = Files.list(staged)) {
            for (Path f : files.toList()) {
                Files.move(f, out.resolve(f.getFileName()), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            }
        }
        ResumeCheckpoints.deleteRecursively(staged);
        double trainLoss = state.step > 0 ? state.lossSum / state.step : Double.NaN;
        double tokensPerSecond = state.trainSeconds > 0 ? state.tokens / state.trainSeconds : 0;

        ObjectNode ts = state.toJson();
        ts.put("total_steps", loop.totalSteps());
        ts.put("steps_per_epoch", loop.stepsPerEpoch());
        ts.put("num_train_blocks", train.size());
        ts.put("model", model.toAbsolutePath().toString());
        Evaluator.writeAtomically(out.resolve(FineTuner.TRAINING_STATE),
                TrainingState.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(ts) + "\n");
        ObjectNode metrics = TrainingState.MAPPER.createObjectNode();
        metrics.put("train_loss", trainLoss); // with a sampled softmax: over the candidates, below the full loss
        if (sampled != null) {
            metrics.put("sampled_softmax", sampled.negatives());
        }
        metrics.put("train_steps", state.step);
        metrics.put("epochs", (double) state.step / loop.stepsPerEpoch());
        metrics.put("train_runtime", state.trainSeconds);
        metrics.put("train_tokens_per_second", tokensPerSecond);
        metrics.put("corpus_train_tokens", train.tokens());
        metrics.put("corpus_heldout_tokens", heldOut.tokens());
        metrics.put("heldout_loss", heldOutLoss);
        metrics.put("perplexity", Math.exp(heldOutLoss));
        if (Double.isFinite(initialLoss)) {
            metrics.put("initial_perplexity", Math.exp(initialLoss));
        }
        Evaluator.writeAtomically(out.resolve(TrainingOutput.METRICS),
                TrainingState.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(metrics) + "\n");
        ResumeCheckpoints.deleteRecursively(out.resolve(ResumeCheckpoints.DIR));
        log.printf(Locale.ROOT, "pre-trained %d steps in %.1f s (%.0f tokens/s): train_loss %.4f, held-out "
                        + "perplexity %.1f%s%n", state.step, state.trainSeconds, tokensPerSecond, trainLoss,
                Math.exp(heldOutLoss), Double.isFinite(initialLoss)
                        ? String.format(Locale.ROOT, " (was %.1f)", Math.exp(initialLoss)) : "");
        return new PretrainResult(out, state.step, trainLoss, heldOutLoss, Math.exp(heldOutLoss), Math.exp(initialLoss),
                train.tokens(), heldOut.tokens(), tokensPerSecond, resumedFrom);
    }

    /** Documents split into train and held-out by a seeded shuffle (the data seed is the training seed). */
    private record Split(List<String> train, List<String> heldOut) {}

    private Split split(PretrainJob job) {
        List<String> docs = job.documents();
        int n = docs.size();
        int held = Math.max(1, Math.min(n - 1, (int) Math.round(job.heldOutFraction() * n)));
        int[] order = EpochOrder.permutation(n, args.seed(), -1); // epoch -1: a stream no training epoch uses
        boolean[] isHeld = new boolean[n];
        for (int i = 0; i < held; i++) {
            isHeld[order[i]] = true;
        }
        List<String> train = new ArrayList<>();
        List<String> heldOut = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            (isHeld[i] ? heldOut : train).add(docs.get(i)); // file order kept inside each part
        }
        return new Split(train, heldOut);
    }

    private static String fingerprint(Split s) {
        return "train=" + s.train.size() + ":" + Integer.toHexString(s.train.hashCode())
                + " heldout=" + s.heldOut.size() + ":" + Integer.toHexString(s.heldOut.hashCode());
    }
}
