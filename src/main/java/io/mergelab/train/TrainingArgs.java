package io.mergelab.train;

import io.mergelab.data.Suggest;
import io.mergelab.model.checkpoint.Gpt2Config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Immutable fine-tuning hyper-parameters, named and defaulted as in transformers' {@code TrainingArguments}
 * so a researcher's existing {@code training_args:} block works unchanged. Each setting is declared once, in
 * {@link TrainingSetting} (name, aliases, type, default, range, doc); the transformers arguments mergelab does not
 * implement are {@link UnsupportedArgument} (ignored with a note, or refused). Build from a YAML map
 * ({@link #fromMap}) and/or {@code key=value} strings ({@link #with}); an unknown key is an error with a
 * "did you mean" hint, a value out of its range an error naming the key and the range, and the checks between
 * arguments ({@link #RULES}) run once every argument is in.
 */
public final class TrainingArgs {

    public enum Strategy { NO, STEPS, EPOCH }

    public enum Scheduler { LINEAR, COSINE, CONSTANT, CONSTANT_WITH_WARMUP }

    public enum Freeze { NONE, BACKBONE }

    /** A check between arguments: what it says (for the docs) and the condition that must hold. */
    record Rule(String doc, Predicate<TrainingArgs> holds) {
    }

    /** Checks that need several arguments, as transformers' {@code __post_init__} makes them. */
    static final List<Rule> RULES = List.of(
            new Rule("num_train_epochs must be > 0 when max_steps is not set",
                    a -> a.maxSteps() > 0 || a.numTrainEpochs() > 0),
            new Rule("load_best_model_at_end needs eval_strategy epoch or steps",
                    a -> !a.loadBestModelAtEnd() || a.evalStrategy() != Strategy.NO),
            new Rule("early_stopping_patience > 0 needs eval_strategy epoch or steps",
                    a -> a.earlyStoppingPatience() == 0 || a.evalStrategy() != Strategy.NO),
            new Rule("freeze backbone and train_last_n_layers >= 0 contradict each other: give one",
                    a -> a.freeze() == Freeze.NONE || a.trainLastNLayers() < 0));

    /** A key or value that is not a training argument mergelab reads; the message names the key. */
    public static final class BadArgument extends IllegalArgumentException {
        private final String key;
        private final String problem;
        private final boolean unknown;

        BadArgument(String key, String problem, boolean unknown) {
            super(unknown ? problem : "training argument " + key + ": " + problem);
            this.key = key;
            this.problem = problem;
            this.unknown = unknown;
        }

        /** The key as written. */
        public String key() {
            return key;
        }

        /** What is wrong with the value, without the key. */
        public String problem() {
            return problem;
        }

        /** True when the key itself names no argument (blame the key, not the value). */
        public boolean unknown() {
            return unknown;
        }
    }

    /**
     * One checked entry. {@code canonical}: the argument's transformers name; {@code configValue}: what a study
     * config keeps (numbers as the setting's type, anything else as written); {@code ignoredBecause}: non-null
     * when the entry has no effect here, saying why (then it is dropped).
     */
    public record Entry(String key, String canonical, Object configValue, String ignoredBecause) {
        public boolean ignored() {
            return ignoredBecause != null;
        }
    }

    private final Map<TrainingSetting, Object> values; // only settings that were given, parsed
    private final Map<String, String> ignored; // canonical key -> why it has no effect, in the order given

    private TrainingArgs(Map<TrainingSetting, Object> values, Map<String, String> ignored) {
        this.values = Collections.unmodifiableMap(values.isEmpty() ? new EnumMap<>(TrainingSetting.class)
                : new EnumMap<>(values));
        this.ignored = Collections.unmodifiableMap(new LinkedHashMap<>(ignored));
        postConfig();
    }

    /** transformers' defaults (learning rate 5e-5, batch 8, 3 epochs, linear schedule, seed 42 …). */
    public static TrainingArgs defaults() {
        return new TrainingArgs(Map.of(), Map.of());
    }

    /** Arguments from a YAML/JSON map such as an experiment's {@code training_args:} block. */
    public static TrainingArgs fromMap(Map<String, ?> map) {
        return defaults().withAll(map);
    }

    /** A copy with every entry of {@code map} applied on top (null resets one to its default). */
    public TrainingArgs withAll(Map<String, ?> map) {
        Map<TrainingSetting, Object> v = new EnumMap<>(TrainingSetting.class);
        v.putAll(values);
        Map<String, String> ign = new LinkedHashMap<>(ignored);
        for (Map.Entry<String, ?> e : map.entrySet()) {
            String key = normalize(e.getKey());
            TrainingSetting s = TrainingSetting.byKey(key);
            if (s == null) {
                ign.putIfAbsent(key, ignoredBecause(e.getKey(), key, e.getValue()));
            } else if (e.getValue() == null) {
                v.remove(s);
            } else {
                v.put(s, s.parse(e.getKey().strip(), e.getValue()));
            }
        }
        return new TrainingArgs(v, ign);
    }

    /** A copy with one {@code key=value} applied (value as typed on a command line). */
    public TrainingArgs with(String key, Object value) {
        return withAll(Collections.singletonMap(key, value));
    }

    /** A copy with a {@code key=value} assignment, as given to {@code --set}. */
    public TrainingArgs withAssignment(String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("training argument '" + assignment + "': expected key=value");
        }
        return with(assignment.substring(0, eq).trim(), assignment.substring(eq + 1).trim());
    }

    /**
     * Checks one entry as {@link #with} reads it (known key, value of its type and range) without the checks
     * between arguments, which need them all; throws {@link BadArgument} saying what is wrong.
     */
    public static Entry checkEntry(String key, Object raw) {
        String k = normalize(key);
        TrainingSetting s = TrainingSetting.byKey(k);
        if (s == null) {
            return new Entry(key, k, null, ignoredBecause(key, k, raw));
        }
        return new Entry(key, s.key, raw == null ? null : s.configValue(raw, s.parse(key.strip(), raw)), null);
    }

    /** The transformers name a key stands for (an alias resolved), so two spellings of one argument are one. */
    public static String canonicalName(String key) {
        String k = normalize(key);
        TrainingSetting s = TrainingSetting.byKey(k);
        return s != null ? s.key : k;
    }

    /** {@code under} with {@code over} applied: an entry of over replaces every spelling of its argument. */
    public static Map<String, Object> overlay(Map<String, ?> under, Map<String, ?> over) {
        Map<String, Object> out = new LinkedHashMap<>(under);
        over.forEach((k, v) -> {
            String c = canonicalName(k);
            out.keySet().removeIf(o -> !o.equals(k) && canonicalName(o).equals(c));
            out.put(k, v);
        });
        return out;
    }

    private static String normalize(String key) {
        return key.strip().toLowerCase(Locale.ROOT).replace('-', '_');
    }

    /** Why an unsupported transformers argument has no effect; an error when it is unknown or would matter. */
    private static String ignoredBecause(String written, String key, Object raw) {
        UnsupportedArgument u = UnsupportedArgument.byKey(key);
        if (u == null) {
            throw new BadArgument(written.strip(), "unknown training argument '" + written.strip() + "'" + hint(key),
                    true);
        }
        return u.check(written.strip(), raw);
    }

    /** " (did you mean 'x'?)" for the closest known key, else a pointer to the list. */
    static String hint(String key) {
        List<String> keys = TrainingSetting.keys();
        String best = Suggest.closest(key, keys);
        return best != null ? " (did you mean '" + best + "'?)"
                : "; known arguments: " + String.join(", ", new TreeSet<>(keys)) + " (docs/training-args.md)";
    }

    /** The checks between arguments, once all are in (Tribuo's postConfig). */
    private void postConfig() {
        for (Rule r : RULES) {
            if (!r.holds().test(this)) {
                throw new IllegalArgumentException("training arguments: " + r.doc());
            }
        }
    }

    /** The value of {@code s}: as given, else its plain default (null for a derived one). */
    Object get(TrainingSetting s) {
        Object v = values.get(s);
        return v != null ? v : s.defaultValue;
    }

    public double learningRate() {
        return (Double) get(TrainingSetting.LEARNING_RATE);
    }

    public int trainBatchSize() {
        return (Integer) get(TrainingSetting.PER_DEVICE_TRAIN_BATCH_SIZE);
    }

    public int evalBatchSize() {
        return (Integer) get(TrainingSetting.PER_DEVICE_EVAL_BATCH_SIZE);
    }

    public double numTrainEpochs() {
        return (Double) get(TrainingSetting.NUM_TRAIN_EPOCHS);
    }

    /** Optimiser steps; when > 0 it overrides {@link #numTrainEpochs()} (as in transformers). */
    public int maxSteps() {
        return (Integer) get(TrainingSetting.MAX_STEPS);
    }

    public double weightDecay() {
        return (Double) get(TrainingSetting.WEIGHT_DECAY);
    }

    /** warmup_steps when it is a share (below 1, as transformers 5 writes it), else warmup_ratio. */
    public double warmupRatio() {
        double ws = (Double) get(TrainingSetting.WARMUP_STEPS);
        if (ws > 0 && ws < 1) {
            return ws;
        }
        return (Double) get(TrainingSetting.WARMUP_RATIO);
    }

    /** Warm-up steps for a run of {@code totalSteps}: warmup_steps if ≥ 1, else ceil(ratio × total). */
    public int warmupSteps(int totalSteps) {
        double ws = (Double) get(TrainingSetting.WARMUP_STEPS);
        if (ws >= 1) {
            return (int) ws;
        }
        return (int) Math.ceil(warmupRatio() * totalSteps);
    }

    public Scheduler lrSchedulerType() {
        return (Scheduler) get(TrainingSetting.LR_SCHEDULER_TYPE);
    }

    public int gradientAccumulationSteps() {
        return (Integer) get(TrainingSetting.GRADIENT_ACCUMULATION_STEPS);
    }

    /** Global-norm clipping threshold; 0 disables clipping. */
    public double maxGradNorm() {
        return (Double) get(TrainingSetting.MAX_GRAD_NORM);
    }

    public Strategy evalStrategy() {
        return (Strategy) get(TrainingSetting.EVAL_STRATEGY);
    }

    /** Steps between evaluations with eval_strategy=steps; unset or 0: logging_steps, as in transformers. */
    public int evalSteps() {
        Integer e = (Integer) get(TrainingSetting.EVAL_STEPS);
        return e != null && e > 0 ? e : loggingSteps();
    }

    /** Resume checkpoints: "steps" every save_steps and at each epoch end, "epoch" at each epoch end, "no" never. */
    public Strategy saveStrategy() {
        return (Strategy) get(TrainingSetting.SAVE_STRATEGY);
    }

    public int saveSteps() {
        return (Integer) get(TrainingSetting.SAVE_STEPS);
    }

    public boolean loadBestModelAtEnd() {
        return (Boolean) get(TrainingSetting.LOAD_BEST_MODEL_AT_END);
    }

    /** Metric name without the "eval_" prefix: loss, accuracy, f1_macro, f1_weighted, ece. */
    public String metricForBestModel() {
        return (String) get(TrainingSetting.METRIC_FOR_BEST_MODEL);
    }

    /** Defaults to false for loss-like metrics (loss, ece) and true otherwise, as transformers does for loss. */
    public boolean greaterIsBetter() {
        Boolean b = (Boolean) get(TrainingSetting.GREATER_IS_BETTER);
        if (b != null) {
            return b;
        }
        String m = metricForBestModel();
        return !(m.equals("loss") || m.equals("ece") || m.endsWith("_loss"));
    }

    /** Evaluations without improvement before stopping; 0 = no early stopping. */
    public int earlyStoppingPatience() {
        return (Integer) get(TrainingSetting.EARLY_STOPPING_PATIENCE);
    }

    public long seed() {
        return (Long) get(TrainingSetting.SEED);
    }

    public int maxLength() {
        return (Integer) get(TrainingSetting.MAX_LENGTH);
    }

    /** Dropout overrides; null keeps the checkpoint config's value. {@code dropout} sets all three. */
    public Double residPdrop() {
        return dropout(TrainingSetting.RESID_PDROP);
    }

    public Double embdPdrop() {
        return dropout(TrainingSetting.EMBD_PDROP);
    }

    public Double attnPdrop() {
        return dropout(TrainingSetting.ATTN_PDROP);
    }

    private Double dropout(TrainingSetting s) {
        Object o = get(s);
        return o != null ? (Double) o : (Double) get(TrainingSetting.DROPOUT);
    }

    /** {@code c} with the dropout overrides applied (they are saved with the trained model); unset ones keep c's. */
    public Gpt2Config applyDropout(Gpt2Config c) {
        return c.withDropout(residPdrop(), embdPdrop(), attnPdrop());
    }

    public Freeze freeze() {
        return (Freeze) get(TrainingSetting.FREEZE);
    }

    /** Train only the last N transformer blocks (plus ln_f and the head); -1 = all blocks. */
    public int trainLastNLayers() {
        return (Integer) get(TrainingSetting.TRAIN_LAST_N_LAYERS);
    }

    public double adamBeta1() {
        return (Double) get(TrainingSetting.ADAM_BETA1);
    }

    public double adamBeta2() {
        return (Double) get(TrainingSetting.ADAM_BETA2);
    }

    public double adamEpsilon() {
        return (Double) get(TrainingSetting.ADAM_EPSILON);
    }

    public int loggingSteps() {
        return (Integer) get(TrainingSetting.LOGGING_STEPS);
    }

    /** Keys given that transformers knows but mergelab ignores (hub, reporting …). */
    public List<String> ignoredKeys() {
        return List.copyOf(ignored.keySet());
    }

    /** One line per ignored key saying why it has no effect, for the console. */
    public List<String> warnings() {
        List<String> out = new ArrayList<>();
        ignored.forEach((k, why) -> out.add("training argument " + k + " has no effect: " + why));
        return out;
    }

    /** The explicitly set arguments, canonical names, for logs and training_state.json. */
    public Map<String, Object> explicitValues() {
        Map<String, Object> out = new LinkedHashMap<>();
        values.forEach((s, v) -> out.put(s.key, TrainingSetting.plain(v)));
        return out;
    }

    /**
     * Every argument with its effective value (defaults filled in, derived ones computed), in the table's order:
     * training_state.json's args (a resume compares them), MLflow params and the pre-training step's identity.
     */
    public Map<String, Object> effectiveValues() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (TrainingSetting s : TrainingSetting.values()) {
            if (s.effective != null) {
                m.put(s.key, s.effective.apply(this));
            }
        }
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingArgs t && t.effectiveValues().equals(effectiveValues());
    }

    @Override
    public int hashCode() {
        return effectiveValues().hashCode();
    }

    @Override
    public String toString() {
        return "TrainingArgs" + explicitValues();
    }
}
