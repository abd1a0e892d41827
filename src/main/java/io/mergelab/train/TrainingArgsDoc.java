package io.mergelab.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * docs/training-args.md and {@code finetune --help}'s list, generated from the one table of settings
 * ({@link TrainingSetting}), the unsupported arguments and the rules between arguments: what the parser reads is
 * what they list, and a test fails when the committed page differs (it says how to regenerate it).
 */
public final class TrainingArgsDoc {
    /** The version of transformers whose TrainingArguments the names and defaults follow (checked by a test). */
    static final String TRANSFORMERS = "5.23";

    private TrainingArgsDoc() {
    }

    public static String markdown() {
        StringBuilder s = new StringBuilder();
        s.append("# Training arguments\n\n");
        s.append("<!-- Generated from the table of settings by io.mergelab.train.TrainingArgsDoc; do not edit: run\n");
        s.append("     bin/native-env mvn -q -o test -Dtest=TrainingArgsDocTest -Dmergelab.regenerate=true -->\n\n");
        s.append("What a study's `training_args:` (and `variants[].training_args:`, `base_model.pretrain.training_args:`),")
                .append(" `finetune --set KEY=VALUE` / `--args FILE` and `pretrain --set` accept. Names and defaults are ")
                .append("those of transformers' `TrainingArguments` (").append(TRANSFORMERS).append(") unless the ")
                .append("row says otherwise; keys are matched ignoring case, with `-` read as `_`. `KEY: null` (or ")
                .append("`--set training_args.KEY=`) puts a setting back to its default. A value outside its range ")
                .append("is refused with the key and the range; an unknown key gets a \"did you mean\".\n\n");
        s.append("| argument | type | default | allowed | what it does |\n|---|---|---|---|---|\n");
        for (TrainingSetting t : TrainingSetting.values()) {
            String name = "`" + t.key + "`" + (t.aliases.isEmpty() ? "" : " (also "
                    + t.aliases.stream().map(a -> "`" + a + "`").collect(Collectors.joining(", ")) + ")");
            String def = t.defaultValue != null ? "`" + t.defaultText + "`" : t.defaultText;
            if (t.transformersDefault != null) {
                def += " (transformers: " + t.transformersDefault + ")";
            }
            String doc = t.doc + (t.origin == TrainingSetting.Origin.TRAINING_ARGUMENTS ? ""
                    : " *From " + t.origin.text + ".*");
            s.append("| ").append(name).append(" | ").append(type(t)).append(" | ").append(def).append(" | ")
                    .append(allowed(t)).append(" | ").append(doc).append(" |\n");
        }
        s.append("\n## Checks between arguments\n\n");
        for (TrainingArgs.Rule r : TrainingArgs.RULES) {
            s.append("- ").append(r.doc()).append(".\n");
        }
        s.append("\n## Pre-training\n\n");
        s.append("`base_model.pretrain` and `mergelab pretrain` start from other defaults (explicit values win; ")
                .append("`num_train_epochs` alone drops the default `max_steps`): ");
        s.append(new TreeMap<>(CausalLmPretrainer.DEFAULTS).entrySet().stream()
                .map(e -> "`" + e.getKey() + ": " + TrainingSetting.show(e.getValue()) + "`")
                .collect(Collectors.joining(", "))).append(".\n");
        s.append("\n## transformers arguments mergelab does not implement\n\n");
        s.append("Accepted so that an existing `TrainingArguments` block reads unchanged. An ignored one prints a ")
                .append("one-line note saying why (in a study, `validate` and `run` show it; it is not part of the ")
                .append("step's identity); a refused one would change what is trained, and is an error unless it ")
                .append("has the value mergelab's training matches. Names transformers 5 no longer has are marked ")
                .append("(4).\n\n");
        s.append("| argument | handling | why |\n|---|---|---|\n");
        Map<String, List<UnsupportedArgument>> byReason = new java.util.LinkedHashMap<>();
        for (UnsupportedArgument u : UnsupportedArgument.values()) {
            byReason.computeIfAbsent(u.why != null ? u.why.name() : u.name(), k -> new ArrayList<>()).add(u);
        }
        for (List<UnsupportedArgument> group : byReason.values()) {
            UnsupportedArgument first = group.get(0);
            s.append("| ").append(group.stream().map(u -> "`" + u.key + "`" + (u.removedIn5 ? " (4)" : ""))
                            .collect(Collectors.joining(", "))).append(" | ").append(first.handling()).append(" | ")
                    .append(first.reason()).append(" |\n");
        }
        return s.toString();
    }

    /**
     * finetune --help's lines: one per setting with its default and allowed values, none longer than 79
     * characters (picocli re-wraps longer footer lines without indentation).
     */
    public static List<String> helpLines() {
        List<String> out = new ArrayList<>();
        out.add("Training arguments (--set KEY=VALUE): name, default, allowed values.");
        out.add("Details, and transformers' arguments ignored or refused: docs/training-args.md");
        for (TrainingSetting t : TrainingSetting.values()) {
            String def = t.defaultValue != null ? t.defaultText
                    : "(" + (t.defaultText.length() <= 13 ? t.defaultText : "derived") + ")";
            String head = String.format(Locale.ROOT, "  %-28s %-15s ", t.key, def);
            StringBuilder line = new StringBuilder(head);
            String[] words = allowed(t).replace("`", "").split("(?<=, )");
            for (String w : words) {
                if (line.length() + w.strip().length() > HELP_WIDTH && line.length() > head.length()) {
                    out.add(line.toString().stripTrailing());
                    line = new StringBuilder(" ".repeat(head.length()));
                }
                line.append(w);
            }
            out.add(line.toString().stripTrailing());
        }
        return out;
    }

    private static final int HELP_WIDTH = 79;

    private static String type(TrainingSetting t) {
        return switch (t.kind) {
            case NUMBER -> "float";
            case INTEGER, LONG -> "int";
            case STEPS_OR_RATIO -> "int or float";
            case BOOLEAN -> "bool";
            case CHOICE, METRIC -> "str";
        };
    }

    private static String allowed(TrainingSetting t) {
        return switch (t.kind) {
            case CHOICE -> t.choices().stream().map(c -> "`" + c + "`").collect(Collectors.joining(", "));
            case METRIC -> TrainingSetting.METRICS.stream().map(c -> "`" + c + "`").collect(Collectors.joining(", "));
            case BOOLEAN -> "`true`, `false`";
            default -> t.range.describe().isEmpty() ? "any" : t.range.describe().replaceFirst("^in ", "");
        };
    }
}
