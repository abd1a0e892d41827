package io.mergelab.train;

import io.mergelab.data.Suggest;
import io.mergelab.model.checkpoint.Gpt2Config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Immutable fine-tuning hyper-parameters, named and defaulted as in transformers' {@code TrainingArguments}
 * so a researcher's existing {@code training_args:} block works unchanged. Build from a YAML map
 * ({@link #fromMap}) and/or {@code key=value} strings ({@link #with}); an unknown key is an error with a
 * "did you mean" hint. Keys that only matter to the Hugging Face hub or logging integrations are accepted
 * and ignored (listed in {@link #ignoredKeys()}).
 */
public final class TrainingArgs {

    public enum Strategy { NO, STEPS, EPOCH }

    public enum Scheduler { LINEAR, COSINE, CONSTANT, CONSTANT_WITH_WARMUP }

    public enum Freeze { NONE, BACKBONE }

    /** Keys understood, with their transformers spelling. Aliases map onto one canonical key. */
    private static final Map<String, String> ALIASES = Map.of(
            "evaluation_strategy", "eval_strategy",
            "lr", "learning_rate",
            "batch_size", "per_device_train_batch_size",
            "epochs", "num_train_epochs");

    private static final Set<String> KEYS = new TreeSet<>(List.of(
            "learning_rate", "per_device_train_batch_size", "per_device_eval_batch_size", "num_train_epochs",
            "max_steps", "weight_decay", "warmup_ratio", "warmup_steps", "lr_scheduler_type",
            "gradient_accumulation_steps", "max_grad_norm", "eval_strategy", "eval_steps", "save_strategy",
            "save_steps", "load_best_model_at_end", "metric_for_best_model", "greater_is_better",
            "early_stopping_patience", "seed", "max_length", "resid_pdrop", "embd_pdrop", "attn_pdrop", "dropout",
            "freeze", "train_last_n_layers", "adam_beta1", "adam_beta2", "adam_epsilon", "logging_steps"));

    /** transformers keys with no meaning here (hub, reporting, dataloader workers): accepted, ignored. */
    private static final Set<String> IGNORED = Set.of("output_dir", "overwrite_output_dir", "push_to_hub",
            "hub_model_id", "hub_strategy", "hub_token", "report_to", "logging_dir", "logging_strategy", "run_name",
            "save_total_limit", "disable_tqdm", "dataloader_num_workers", "do_train", "do_eval", "do_predict",
            "remove_unused_columns", "fp16", "bf16", "use_cpu", "no_cuda");

    private final Map<String, Object> values; // canonical key -> parsed value, only keys that were set
    private final List<String> ignored;

    private TrainingArgs(Map<String, Object> values, List<String> ignored) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.ignored = List.copyOf(ignored);
        validate();
    }

    /** transformers' defaults (learning rate 5e-5, batch 8, 3 epochs, linear schedule, seed 42 …). */
    public static TrainingArgs defaults() {
        return new TrainingArgs(Map.of(), List.of());
    }

    /** Arguments from a YAML/JSON map such as an experiment's {@code training_args:} block. */
    public static TrainingArgs fromMap(Map<String, ?> map) {
        return defaults().withAll(map);
    }

    /** A copy with every entry of {@code map} applied on top. */
    public TrainingArgs withAll(Map<String, ?> map) {
        Map<String, Object> v = new LinkedHashMap<>(values);
        List<String> ign = new ArrayList<>(ignored);
        for (Map.Entry<String, ?> e : map.entrySet()) {
            put(v, ign, e.getKey(), e.getValue());
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
     * between arguments, which need them all; throws IllegalArgumentException saying what is wrong.
     */
    public static void checkEntry(String key, Object raw) {
        put(new LinkedHashMap<>(), new ArrayList<>(), key, raw);
    }

    private static void put(Map<String, Object> v, List<String> ign, String rawKey, Object raw) {
        String key = rawKey.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        key = ALIASES.getOrDefault(key, key);
        if (IGNORED.contains(key)) {
            ign.add(key);
            return;
        }
        if (!KEYS.contains(key)) {
            throw new IllegalArgumentException("unknown training argument '" + rawKey + "'" + hint(key));
        }
        if (raw == null) {
            v.remove(key);
            return;
        }
        v.put(key, parse(key, raw));
    }

    private static Object parse(String key, Object raw) {
        String s = raw.toString().trim();
        try {
            return switch (key) {
                case "learning_rate", "num_train_epochs", "weight_decay", "warmup_ratio", "max_grad_norm",
                        "resid_pdrop", "embd_pdrop", "attn_pdrop", "dropout", "adam_beta1", "adam_beta2",
                        "adam_epsilon" -> raw instanceof Number n ? n.doubleValue() : Double.parseDouble(s);
                case "warmup_steps" -> {
                    // transformers 5 also takes a float below 1 here as a ratio
                    double d = raw instanceof Number n ? n.doubleValue() : Double.parseDouble(s);
                    yield d;
                }
                case "per_device_train_batch_size", "per_device_eval_batch_size", "max_steps",
                        "gradient_accumulation_steps", "eval_steps", "save_steps", "early_stopping_patience",
                        "max_length", "train_last_n_layers", "logging_steps" -> raw instanceof Number n
                        ? Math.toIntExact(n.longValue()) : Integer.parseInt(s);
                case "seed" -> raw instanceof Number n ? n.longValue() : Long.parseLong(s);
                case "load_best_model_at_end", "greater_is_better" -> parseBoolean(key, raw);
                case "eval_strategy", "save_strategy" -> parseEnum(Strategy.class, key, s);
                case "lr_scheduler_type" -> parseEnum(Scheduler.class, key, s);
                case "freeze" -> parseEnum(Freeze.class, key, s);
                case "metric_for_best_model" -> s;
                default -> throw new IllegalStateException(key);
            };
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("training argument " + key + ": cannot read '" + s + "' as a number");
        }
    }

    private static boolean parseBoolean(String key, Object raw) {
        if (raw instanceof Boolean b) {
            return b;
        }
        String s = raw.toString().trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException("training argument " + key + ": expected true or false, got '"
                    + raw + "'");
        };
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String key, String s) {
        String norm = s.toUpperCase(Locale.ROOT).replace('-', '_');
        if (type == Strategy.class && norm.equals("NONE")) {
            norm = "NO";
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(norm)) {
                return e;
            }
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name().toLowerCase(Locale.ROOT));
        }
        throw new IllegalArgumentException("training argument " + key + ": '" + s + "' is not one of " + names);
    }

    /** " (did you mean 'x'?)" for the closest known key, else a pointer to the list. */
    static String hint(String key) {
        String best = Suggest.closest(key, KEYS);
        return best != null ? " (did you mean '" + best + "'?)" : "; known arguments: " + String.join(", ", KEYS);
    }

    private void validate() {
        positive("learning_rate", learningRate(), true);
        positive("per_device_train_batch_size", trainBatchSize(), false);
        positive("per_device_eval_batch_size", evalBatchSize(), false);
        positive("gradient_accumulation_steps", gradientAccumulationSteps(), false);
        positive("max_length", maxLength(), false);
        if (maxSteps() <= 0 && numTrainEpochs() <= 0) {
            throw new IllegalArgumentException("training arguments: num_train_epochs must be > 0 when max_steps is not set");
        }
        if (weightDecay() < 0 || maxGradNorm() < 0 || warmupRatio() < 0 || warmupRatio() > 1) {
            throw new IllegalArgumentException("training arguments: weight_decay and max_grad_norm must be >= 0 and "
                    + "warmup_ratio in [0, 1]");
        }
        for (String d : List.of("resid_pdrop", "embd_pdrop", "attn_pdrop", "dropout")) {
            Double p = (Double) values.get(d);
            if (p != null && (p < 0 || p >= 1)) {
                throw new IllegalArgumentException("training argument " + d + ": must be in [0, 1), got " + p);
            }
        }
        if (evalStrategy() == Strategy.STEPS && evalSteps() <= 0) {
            throw new IllegalArgumentException("training arguments: eval_strategy=steps needs eval_steps > 0");
        }
        if (loadBestModelAtEnd() && evalStrategy() == Strategy.NO) {
            throw new IllegalArgumentException("training arguments: load_best_model_at_end needs eval_strategy "
                    + "epoch or steps");
        }
        if (earlyStoppingPatience() > 0 && evalStrategy() == Strategy.NO) {
            throw new IllegalArgumentException("training arguments: early_stopping_patience needs eval_strategy "
                    + "epoch or steps");
        }
        if (values.containsKey("train_last_n_layers") && trainLastNLayers() < 0) {
            throw new IllegalArgumentException("training argument train_last_n_layers: must be >= 0");
        }
        double b1 = adamBeta1();
        double b2 = adamBeta2();
        if (b1 < 0 || b1 >= 1 || b2 < 0 || b2 >= 1 || adamEpsilon() <= 0) {
            throw new IllegalArgumentException("training arguments: adam_beta1/2 must be in [0, 1) and adam_epsilon > 0");
        }
    }

    private static void positive(String key, double v, boolean strictDouble) {
        if (!(v > 0)) {
            throw new IllegalArgumentException("training argument " + key + ": must be > 0, got "
                    + (strictDouble ? String.valueOf(v) : String.valueOf((long) v)));
        }
    }

    private double d(String key, double def) {
        Object o = values.get(key);
        return o == null ? def : (Double) o;
    }

    private int i(String key, int def) {
        Object o = values.get(key);
        return o == null ? def : (Integer) o;
    }

    public double learningRate() {
        return d("learning_rate", 5e-5);
    }

    public int trainBatchSize() {
        return i("per_device_train_batch_size", 8);
    }

    public int evalBatchSize() {
        return i("per_device_eval_batch_size", 8);
    }

    public double numTrainEpochs() {
        return d("num_train_epochs", 3.0);
    }

    /** Optimiser steps; when > 0 it overrides {@link #numTrainEpochs()} (as in transformers). */
    public int maxSteps() {
        return i("max_steps", -1);
    }

    public double weightDecay() {
        return d("weight_decay", 0.0);
    }

    public double warmupRatio() {
        double ws = d("warmup_steps", 0);
        if (ws > 0 && ws < 1) {
            return ws;
        }
        return d("warmup_ratio", 0.0);
    }

    /** Warm-up steps for a run of {@code totalSteps}: warmup_steps if ≥ 1, else ceil(ratio × total). */
    public int warmupSteps(int totalSteps) {
        double ws = d("warmup_steps", 0);
        if (ws >= 1) {
            return (int) ws;
        }
        return (int) Math.ceil(warmupRatio() * totalSteps);
    }

    public Scheduler lrSchedulerType() {
        return (Scheduler) values.getOrDefault("lr_scheduler_type", Scheduler.LINEAR);
    }

    public int gradientAccumulationSteps() {
        return i("gradient_accumulation_steps", 1);
    }

    /** Global-norm clipping threshold; 0 disables clipping. */
    public double maxGradNorm() {
        return d("max_grad_norm", 1.0);
    }

    public Strategy evalStrategy() {
        return (Strategy) values.getOrDefault("eval_strategy", Strategy.NO);
    }

    /** Steps between evaluations with eval_strategy=steps; defaults to logging_steps as in transformers. */
    public int evalSteps() {
        return i("eval_steps", loggingSteps());
    }

    /** Resume checkpoints: "steps" every save_steps and at each epoch end, "epoch" at each epoch end, "no" never. */
    public Strategy saveStrategy() {
        return (Strategy) values.getOrDefault("save_strategy", Strategy.STEPS);
    }

    public int saveSteps() {
        return i("save_steps", 500);
    }

    public boolean loadBestModelAtEnd() {
        return (Boolean) values.getOrDefault("load_best_model_at_end", false);
    }

    /** Metric name without the "eval_" prefix: loss, accuracy, f1_macro, f1_weighted, ece. */
    public String metricForBestModel() {
        String m = (String) values.getOrDefault("metric_for_best_model", "loss");
        return m.startsWith("eval_") ? m.substring(5) : m;
    }

    /** Defaults to false for loss-like metrics (loss, ece) and true otherwise, as transformers does for loss. */
    public boolean greaterIsBetter() {
        Object o = values.get("greater_is_better");
        if (o != null) {
            return (Boolean) o;
        }
        String m = metricForBestModel();
        return !(m.equals("loss") || m.equals("ece") || m.endsWith("_loss"));
    }

    /** Evaluations without improvement before stopping; 0 = no early stopping. */
    public int earlyStoppingPatience() {
        return i("early_stopping_patience", 0);
    }

    public long seed() {
        return (Long) values.getOrDefault("seed", 42L);
    }

    public int maxLength() {
        return i("max_length", 128);
    }

    /** Dropout overrides; null keeps the checkpoint config's value. {@code dropout} sets all three. */
    public Double residPdrop() {
        return dropout("resid_pdrop");
    }

    public Double embdPdrop() {
        return dropout("embd_pdrop");
    }

    public Double attnPdrop() {
        return dropout("attn_pdrop");
    }

    private Double dropout(String key) {
        Object o = values.get(key);
        return o != null ? (Double) o : (Double) values.get("dropout");
    }

    /** {@code c} with the dropout overrides applied (they are saved with the trained model); unset ones keep c's. */
    public Gpt2Config applyDropout(Gpt2Config c) {
        return c.withDropout(residPdrop(), embdPdrop(), attnPdrop());
    }

    public Freeze freeze() {
        return (Freeze) values.getOrDefault("freeze", Freeze.NONE);
    }

    /** Train only the last N transformer blocks (plus ln_f and the head); -1 = all blocks. */
    public int trainLastNLayers() {
        return i("train_last_n_layers", -1);
    }

    public double adamBeta1() {
        return d("adam_beta1", 0.9);
    }

    public double adamBeta2() {
        return d("adam_beta2", 0.999);
    }

    public double adamEpsilon() {
        return d("adam_epsilon", 1e-8);
    }

    public int loggingSteps() {
        return i("logging_steps", 10);
    }

    /** Keys given that transformers knows but mergelab ignores (hub, reporting …). */
    public List<String> ignoredKeys() {
        return ignored;
    }

    /** The explicitly set arguments, canonical names, for logs and training_state.json. */
    public Map<String, Object> explicitValues() {
        Map<String, Object> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, v instanceof Enum<?> e ? e.name().toLowerCase(Locale.ROOT) : v));
        return out;
    }

    /** Every argument with its effective value (defaults filled in). */
    public Map<String, Object> effectiveValues() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("learning_rate", learningRate());
        m.put("per_device_train_batch_size", trainBatchSize());
        m.put("per_device_eval_batch_size", evalBatchSize());
        m.put("num_train_epochs", numTrainEpochs());
        m.put("max_steps", maxSteps());
        m.put("weight_decay", weightDecay());
        m.put("warmup_ratio", warmupRatio());
        m.put("warmup_steps", d("warmup_steps", 0));
        m.put("lr_scheduler_type", lrSchedulerType().name().toLowerCase(Locale.ROOT));
        m.put("gradient_accumulation_steps", gradientAccumulationSteps());
        m.put("max_grad_norm", maxGradNorm());
        m.put("eval_strategy", evalStrategy().name().toLowerCase(Locale.ROOT));
        m.put("eval_steps", evalSteps());
        m.put("save_strategy", saveStrategy().name().toLowerCase(Locale.ROOT));
        m.put("save_steps", saveSteps());
        m.put("load_best_model_at_end", loadBestModelAtEnd());
        m.put("metric_for_best_model", metricForBestModel());
        m.put("greater_is_better", greaterIsBetter());
        m.put("early_stopping_patience", earlyStoppingPatience());
        m.put("seed", seed());
        m.put("max_length", maxLength());
        m.put("resid_pdrop", residPdrop());
        m.put("embd_pdrop", embdPdrop());
        m.put("attn_pdrop", attnPdrop());
        m.put("freeze", freeze().name().toLowerCase(Locale.ROOT));
        m.put("train_last_n_layers", trainLastNLayers());
        m.put("adam_beta1", adamBeta1());
        m.put("adam_beta2", adamBeta2());
        m.put("adam_epsilon", adamEpsilon());
        m.put("logging_steps", loggingSteps());
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
