package io.mergelab.train;

import io.mergelab.eval.ClassificationMetrics;
import io.mergelab.train.TrainingArgs.Freeze;
import io.mergelab.train.TrainingArgs.Scheduler;
import io.mergelab.train.TrainingArgs.Strategy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The training arguments mergelab implements, each declared once: its name (the constant, lower-cased: transformers'
 * {@code TrainingArguments} spelling), aliases, type, default, allowed range and a one-line doc. Parsing, range
 * checks, the effective-values dump, {@code finetune --help} and docs/training-args.md all read this table (as
 * Tribuo's {@code @Config} fields are read); checks between arguments are {@link TrainingArgs}' rules.
 * The order is the effective-values dump's (training_state.json, MLflow params).
 */
enum TrainingSetting {
    LEARNING_RATE(Kind.NUMBER, 5e-5, Range.between(0, true, 1, false),
            "Peak AdamW learning rate, reached after the warm-up; above 1 is refused as a typo.", aka("lr")),
    PER_DEVICE_TRAIN_BATCH_SIZE(Kind.INTEGER, 8, Range.atLeast(1), "Training examples per micro-batch.",
            aka("batch_size")),
    PER_DEVICE_EVAL_BATCH_SIZE(Kind.INTEGER, 8, Range.atLeast(1),
            "Examples per batch when fine-tuning evaluates (a study's evaluation steps take 32 when it is unset)."),
    NUM_TRAIN_EPOCHS(Kind.NUMBER, 3.0, Range.atLeast(0),
            "Passes over the training data (a fraction stops part-way); max_steps > 0 overrides it.", aka("epochs")),
    MAX_STEPS(Kind.INTEGER, -1, Range.atLeast(-1), "Optimizer steps to train; when > 0 it overrides num_train_epochs."),
    WEIGHT_DECAY(Kind.NUMBER, 0.0, Range.atLeast(0),
            "AdamW's decoupled weight decay; biases and LayerNorm weights are not decayed."),
    WARMUP_RATIO(Kind.NUMBER, 0.0, Range.between(0, false, 1, false),
            "Share of the total steps spent warming the learning rate up linearly from 0 (transformers 5 writes "
                    + "this as warmup_steps below 1).", Origin.TRANSFORMERS_4, effective(TrainingArgs::warmupRatio)),
    WARMUP_STEPS(Kind.STEPS_OR_RATIO, 0.0, Range.atLeast(0),
            "Linear warm-up steps; below 1, a share of the total steps. From 1 up it wins over warmup_ratio."),
    LR_SCHEDULER_TYPE(Kind.CHOICE, Scheduler.LINEAR, Range.ANY,
            "Learning-rate decay after the warm-up (constant ignores the warm-up); transformers' other schedules "
                    + "are refused."),
    GRADIENT_ACCUMULATION_STEPS(Kind.INTEGER, 1, Range.atLeast(1),
            "Micro-batches whose gradients make one optimizer step."),
    MAX_GRAD_NORM(Kind.NUMBER, 1.0, Range.atLeast(0), "Global gradient-norm clipping threshold; 0 turns clipping off."),
    EVAL_STRATEGY(Kind.CHOICE, Strategy.NO, Range.ANY,
            "When fine-tuning evaluates on the validation split: no, every eval_steps steps, or each epoch.",
            aka("evaluation_strategy")),
    EVAL_STEPS(Kind.INTEGER, null, Range.atLeast(0), "Steps between evaluations with eval_strategy steps; 0 means "
            + "logging_steps.", derived("logging_steps", TrainingArgs::evalSteps)),
    SAVE_STRATEGY(Kind.CHOICE, Strategy.STEPS, Range.ANY, "Resume checkpoints: steps (every save_steps steps and "
            + "at each epoch end), epoch, or no; transformers' best is refused (see load_best_model_at_end)."),
    SAVE_STEPS(Kind.INTEGER, 500, Range.atLeast(1), "Steps between resume checkpoints with save_strategy steps."),
    LOAD_BEST_MODEL_AT_END(Kind.BOOLEAN, false, Range.ANY,
            "Keep the model that scored best on metric_for_best_model instead of the last one."),
    METRIC_FOR_BEST_MODEL(Kind.METRIC, "loss", Range.ANY, "Metric on the validation split that picks the best "
            + "model and drives early stopping (an eval_ prefix is dropped).",
            transformersDefault("None, which means loss")),
    GREATER_IS_BETTER(Kind.BOOLEAN, null, Range.ANY, "Whether a larger metric_for_best_model is better.",
            derived("false for loss and ece, else true", TrainingArgs::greaterIsBetter),
            transformersDefault("None: false only for metrics ending in loss")),
    EARLY_STOPPING_PATIENCE(Kind.INTEGER, 0, Range.atLeast(0),
            "Evaluations without improvement before training stops; 0 never stops early.", Origin.EARLY_STOPPING),
    SEED(Kind.LONG, 42L, Range.atLeast(0), "Seed of the head's initialisation, the example order and dropout."),
    MAX_LENGTH(Kind.INTEGER, 128, Range.atLeast(1),
            "Tokens kept per example (the tokenizer's max_length; pre-training's block size); at most the model's "
                    + "n_positions.", Origin.MERGELAB),
    RESID_PDROP(Kind.NUMBER, null, Range.between(0, false, 1, true),
            "Dropout after each attention and MLP block.", Origin.GPT2_CONFIG, pdrop(TrainingArgs::residPdrop)),
    EMBD_PDROP(Kind.NUMBER, null, Range.between(0, false, 1, true),
            "Dropout on the embeddings.", Origin.GPT2_CONFIG, pdrop(TrainingArgs::embdPdrop)),
    ATTN_PDROP(Kind.NUMBER, null, Range.between(0, false, 1, true),
            "Dropout on the attention weights.", Origin.GPT2_CONFIG, pdrop(TrainingArgs::attnPdrop)),
    DROPOUT(Kind.NUMBER, null, Range.between(0, false, 1, true), "Sets resid_pdrop, embd_pdrop and attn_pdrop at "
            + "once (each one given wins); the dump lists the three.", Origin.MERGELAB, Shorthand.INSTANCE),
    FREEZE(Kind.CHOICE, Freeze.NONE, Range.ANY, "backbone trains only the classification head.", Origin.MERGELAB),
    TRAIN_LAST_N_LAYERS(Kind.INTEGER, -1, Range.atLeast(-1),
            "Train only the last N transformer blocks (with ln_f and the head); -1 trains them all.", Origin.MERGELAB),
    ADAM_BETA1(Kind.NUMBER, 0.9, Range.between(0, false, 1, true), "AdamW's first-moment decay."),
    ADAM_BETA2(Kind.NUMBER, 0.999, Range.between(0, false, 1, true), "AdamW's second-moment decay."),
    ADAM_EPSILON(Kind.NUMBER, 1e-8, Range.above(0), "AdamW's denominator epsilon."),
    LOGGING_STEPS(Kind.INTEGER, 10, Range.atLeast(1),
            "Steps between logged training losses (history, MLflow, console); transformers also takes a share "
                    + "below 1.", transformersDefault("500"));

    /** How a value is written and what it becomes. */
    enum Kind {
        NUMBER("a number"), INTEGER("an integer"), LONG("an integer"),
        STEPS_OR_RATIO("a number of steps (or a share below 1)"), BOOLEAN("true or false"), CHOICE("one of"),
        METRIC("a metric name");

        final String noun;

        Kind(String noun) {
            this.noun = noun;
        }
    }

    /** Where a name comes from; transformers' TrainingArguments unless said otherwise. */
    enum Origin implements Trait {
        TRAINING_ARGUMENTS("transformers"),
        TRANSFORMERS_4("transformers 4"),
        EARLY_STOPPING("transformers' EarlyStoppingCallback"),
        GPT2_CONFIG("GPT2Config (saved with the model)"),
        MERGELAB("mergelab");

        final String text;

        Origin(String text) {
            this.text = text;
        }
    }

    /** The names the docs offer for metric_for_best_model; the check asks the evaluation's metrics themselves. */
    static final List<String> METRICS = List.of("loss", "accuracy", "f1_macro", "f1_weighted", "ece");

    final String key = name().toLowerCase(Locale.ROOT);
    final Kind kind;
    final Object defaultValue; // null: derived, see defaultText
    final Range range;
    final String doc;
    final List<String> aliases;
    final Origin origin;
    final String defaultText;
    final String transformersDefault; // null: the same as mergelab's (TrainingArgsTableTest checks it)
    final Function<TrainingArgs, Object> effective; // null: only a shorthand for others, not in the dump

    TrainingSetting(Kind kind, Object defaultValue, Range range, String doc, Trait... traits) {
        this.kind = kind;
        this.defaultValue = defaultValue;
        this.range = range;
        this.doc = doc;
        List<String> aka = new ArrayList<>();
        Origin from = Origin.TRAINING_ARGUMENTS;
        String defText = defaultValue == null ? "unset" : show(defaultValue);
        String hf = null;
        Function<TrainingArgs, Object> eff = args -> plain(args.get(this));
        for (Trait t : traits) { // release 17: no patterns in switch
            if (t instanceof Aka a) {
                aka.addAll(a.names());
            } else if (t instanceof Origin o) {
                from = o;
            } else if (t instanceof Derived d) {
                defText = d.defaultText() != null ? d.defaultText() : defText;
                eff = d.effective();
            } else if (t instanceof TransformersDefault h) {
                hf = h.text();
            } else if (t == Shorthand.INSTANCE) {
                eff = null;
            }
        }
        this.aliases = List.copyOf(aka);
        this.origin = from;
        this.defaultText = defText;
        this.transformersDefault = hf;
        this.effective = eff;
    }

    /** The setting a key names (its own name or an alias, any case, '-' for '_'), or null. */
    static TrainingSetting byKey(String normalizedKey) {
        for (TrainingSetting s : values()) {
            if (s.key.equals(normalizedKey) || s.aliases.contains(normalizedKey)) {
                return s;
            }
        }
        return null;
    }

    static List<String> keys() {
        return Arrays.stream(values()).map(s -> s.key).toList();
    }

    /** {@code raw} (YAML scalar, JSON value or command-line text) read as this setting's type and range. */
    Object parse(String written, Object raw) {
        Object v = switch (kind) {
            case NUMBER, STEPS_OR_RATIO -> number(raw);
            case INTEGER, LONG -> integer(raw);
            case BOOLEAN -> bool(raw);
            case CHOICE -> choice(raw);
            case METRIC -> metric(written, raw);
        };
        if (v == null || (v instanceof Number n && !range.contains(n.doubleValue()))) {
            throw new TrainingArgs.BadArgument(written, "expected " + expected() + ", got " + shown(raw), false);
        }
        if (kind == Kind.INTEGER) {
            long l = (Long) v;
            if (l != (int) l) {
                throw new TrainingArgs.BadArgument(written, "expected " + expected() + " that fits 32 bits, got "
                        + l, false);
            }
            return (int) l;
        }
        return v;
    }

    /**
     * The value a study config keeps for step identity: numbers as this setting's type (an integer for a float
     * setting becomes a float, YAML 1.1's string 2e-5 a number), integers as Long, anything else as written.
     */
    Object configValue(Object raw, Object parsed) {
        return switch (kind) {
            case NUMBER -> parsed;
            case INTEGER, LONG -> ((Number) parsed).longValue();
            case STEPS_OR_RATIO -> raw instanceof Long || raw instanceof Integer ? ((Number) raw).longValue() : parsed;
            default -> raw;
        };
    }

    /** What a value must be, as error messages and the docs say it: "a number in (0, 1]", "one of no, steps". */
    String expected() {
        if (kind == Kind.CHOICE) {
            return "one of " + String.join(", ", choices());
        }
        if (kind == Kind.METRIC) {
            return "one of " + String.join(", ", METRICS);
        }
        String r = range.describe();
        return kind.noun + (r.isEmpty() ? "" : " " + r);
    }

    List<String> choices() {
        List<String> out = new ArrayList<>();
        for (Object c : defaultValue.getClass().getEnumConstants()) {
            out.add(((Enum<?>) c).name().toLowerCase(Locale.ROOT));
        }
        return out;
    }

    private static Double number(Object raw) {
        if (raw instanceof Number n) {
            return Double.isNaN(n.doubleValue()) ? null : n.doubleValue();
        }
        if (raw instanceof String s) {
            try { // YAML 1.1 reads 2e-5 as a string; researchers mean a number
                double d = Double.parseDouble(s.strip());
                return Double.isNaN(d) ? null : d;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static Long integer(Object raw) {
        if (raw instanceof Long || raw instanceof Integer || raw instanceof Short) {
            return ((Number) raw).longValue();
        }
        if (raw instanceof Number n) { // 8.0 is 8, 8.5 is no integer
            double d = n.doubleValue();
            return d == Math.rint(d) && Math.abs(d) < 0x1p53 ? (long) d : null;
        }
        if (raw instanceof String s) {
            try {
                return Long.parseLong(s.strip());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static Boolean bool(Object raw) {
        if (raw instanceof Boolean b) {
            return b;
        }
        return switch (String.valueOf(raw).strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> null;
        };
    }

    private Object choice(Object raw) {
        // YAML 1.1 reads an unquoted `no` as false; "none" and "no" name the same choice
        String s = Boolean.FALSE.equals(raw) ? "no" : String.valueOf(raw).strip();
        String norm = s.toUpperCase(Locale.ROOT).replace('-', '_');
        for (String candidate : List.of(norm, norm.equals("NO") ? "NONE" : norm.equals("NONE") ? "NO" : norm)) {
            for (Object c : defaultValue.getClass().getEnumConstants()) {
                if (((Enum<?>) c).name().equals(candidate)) {
                    return c;
                }
            }
        }
        return null;
    }

    /** The name without an eval_ prefix, if the evaluation's metrics know it (asked, so the list lives there). */
    private static String metric(String written, Object raw) {
        if (!(raw instanceof String s) || s.isBlank()) {
            return null;
        }
        String m = s.strip().startsWith("eval_") ? s.strip().substring(5) : s.strip();
        try {
            new ClassificationMetrics(List.of(), 0, 0, 0, 0, 0, 0, null, null, null, null, null).metric(m);
        } catch (IllegalArgumentException e) {
            throw new TrainingArgs.BadArgument(written, e.getMessage(), false);
        }
        return m;
    }

    /** A value as the dump, the docs and transformers write it: enums lower-case, numbers in Python's style. */
    static Object plain(Object v) {
        return v instanceof Enum<?> e ? e.name().toLowerCase(Locale.ROOT) : v;
    }

    static String show(Object v) {
        if (v instanceof Double d) {
            return Range.number(d, false);
        }
        return String.valueOf(plain(v));
    }

    private static String shown(Object raw) {
        return raw instanceof String s ? "'" + s + "'" : String.valueOf(raw);
    }

    /** Allowed numbers: each bound absent, open or closed. */
    record Range(Double min, boolean minOpen, Double max, boolean maxOpen) {
        static final Range ANY = new Range(null, false, null, false);

        static Range atLeast(double min) {
            return new Range(min, false, null, false);
        }

        static Range above(double min) {
            return new Range(min, true, null, false);
        }

        static Range between(double min, boolean minOpen, double max, boolean maxOpen) {
            return new Range(min, minOpen, max, maxOpen);
        }

        boolean contains(double v) {
            return (min == null || (minOpen ? v > min : v >= min)) && (max == null || (maxOpen ? v < max : v <= max));
        }

        /** "in (0, 1]", ">= 1", "> 0", or "" for any value. */
        String describe() {
            if (min != null && max != null) {
                return "in " + (minOpen ? "(" : "[") + number(min, true) + ", " + number(max, true) + (maxOpen ? ")" : "]");
            }
            if (min != null) {
                return (minOpen ? "> " : ">= ") + number(min, true);
            }
            return max == null ? "" : (maxOpen ? "< " : "<= ") + number(max, true);
        }

        /** Python's repr of a float (5e-05, 3.0, 0.999), or with {@code bare} an integral value without ".0". */
        static String number(double v, boolean bare) {
            double a = Math.abs(v);
            if (bare && v == Math.rint(v) && a < 1e15) {
                return Long.toString((long) v);
            }
            if (v == 0 || (a >= 1e-4 && a < 1e16)) { // Double.toString's digits are the shortest round-trip, as repr's
                String s = new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
                return s.contains(".") ? s : s + ".0";
            }
            String s = Double.toString(v); // here always d.dddE±n
            int e = s.indexOf('E');
            int exp = Integer.parseInt(s.substring(e + 1));
            return s.substring(0, e).replaceAll("\\.0$", "") + "e" + (exp < 0 ? "-" : "+")
                    + String.format(Locale.ROOT, "%02d", Math.abs(exp));
        }
    }

    /** What may follow a setting's doc in its row. */
    sealed interface Trait permits Aka, Derived, TransformersDefault, Shorthand, Origin {
    }

    record Aka(List<String> names) implements Trait {
    }

    /** A default computed from other settings; the dump shows the computed value. */
    record Derived(String defaultText, Function<TrainingArgs, Object> effective) implements Trait {
    }

    record TransformersDefault(String text) implements Trait {
    }

    /** Sets other settings; not a value of its own in the dump. */
    enum Shorthand implements Trait { INSTANCE }

    private static Aka aka(String... names) {
        return new Aka(List.of(names));
    }

    private static Derived derived(String defaultText, Function<TrainingArgs, Object> effective) {
        return new Derived(defaultText, effective);
    }

    /** The dump shows a computed value while the default stays plain (warmup_steps below 1 counts as the ratio). */
    private static Derived effective(Function<TrainingArgs, Object> effective) {
        return new Derived(null, effective);
    }

    private static Derived pdrop(Function<TrainingArgs, Object> effective) {
        return new Derived("the model's", effective);
    }

    private static TransformersDefault transformersDefault(String text) {
        return new TransformersDefault(text);
    }
}
