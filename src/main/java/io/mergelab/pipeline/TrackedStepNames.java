package io.mergelab.pipeline;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Readable MLflow run names and the dataset/method/model facts of a step: {@code ft/yelp/slice-2},
 * {@code merge/ties/d0.9-w0.2}, {@code eval/ties/yelp} (the test split; other splits get {@code /validation}),
 * {@code baseline/ensemble/yelp}. Steps without numbers to compare (base model, data, report) get no run.
 */
final class TrackedStepNames {
    private static final Pattern SEED = Pattern.compile("\\(seed (-?\\d+)\\)");
    private static final Map<String, String> SHORT = Map.of("density", "d", "weight", "w", "lambda", "l",
            "epsilon", "e", "gamma", "g", "select_topk", "k");

    private final Plan plan;

    TrackedStepNames(Plan plan) {
        this.plan = plan;
    }

    static boolean tracked(Step s) {
        return switch (s.kind()) {
            case "finetune", "pretrain", "merge", "evaluate", "ensemble", "stacker" -> true;
            default -> false;
        };
    }

    String runName(Step s) {
        String name = switch (s.kind()) {
            case "finetune" -> "ft/" + dataset(s) + "/" + finetunePart(s)
                    + (s.label().contains(" from scratch") ? "/from-scratch" : "");
            case "pretrain" -> "pretrain/base";
            case "merge" -> "merge/" + s.inputs().get("method") + "/" + mergePart(s);
            case "evaluate" -> "eval/" + s.meta().get("model") + "/" + s.meta().get("dataset") + splitPart(s);
            default -> "baseline/" + s.kind() + "/" + s.meta().get("dataset") + splitPart(s);
        };
        Matcher m = SEED.matcher(s.label());
        return m.find() ? name + "/seed-" + m.group(1) : name;
    }

    /** The dataset(s) a step is about; a merge across datasets names them all, comma-separated. */
    String dataset(Step s) {
        Object ds = s.meta().get("dataset");
        if (ds != null) {
            return ds.toString();
        }
        Set<String> out = new LinkedHashSet<>();
        for (String dep : s.deps()) {
            Step d = plan.step(dep);
            if (d.kind().equals("data")) {
                out.add(String.valueOf(d.meta().get("dataset")));
            } else if (s.kind().equals("merge") && d.kind().equals("finetune")) {
                out.add(dataset(d));
            }
        }
        return String.join(",", out);
    }

    String method(Step s) {
        return switch (s.kind()) {
            case "merge" -> String.valueOf(s.inputs().get("method"));
            case "finetune" -> s.label().startsWith("linear probe") ? "linear_probe" : "finetune";
            case "pretrain" -> "pretrain";
            default -> String.valueOf(s.meta().getOrDefault("method", s.kind()));
        };
    }

    /** The model a step makes or scores: variant name for fine-tunes ("yelp_0"), merge name, ... */
    String model(Step s) {
        Object m = s.meta().get("model");
        if (m != null) {
            return m.toString();
        }
        String label = SEED.matcher(s.label()).replaceAll("").strip();
        label = label.replace(" from scratch", "");
        return label.startsWith("finetune ") ? label.substring("finetune ".length()) : label;
    }

    /** Variant names of a merge's models, in recipe order. */
    List<String> mergedModels(Step s) {
        List<String> out = new ArrayList<>();
        if (s.inputs().get("models") instanceof List<?> models) {
            for (Object o : models) {
                if (o instanceof Map<?, ?> m && plan.contains(String.valueOf(m.get("model")))) {
                    out.add(model(plan.step(String.valueOf(m.get("model")))));
                }
            }
        }
        return out;
    }

    private String finetunePart(Step s) {
        if (s.label().startsWith("linear probe")) {
            return "linear-probe";
        }
        int count = ((Number) s.inputs().get("slice_count")).intValue();
        if (s.label().startsWith("full-data")) {
            return "full";
        }
        return count > 0 ? "slice-" + ((Number) s.inputs().get("slice_index")).intValue() : model(s);
    }

    private static String splitPart(Step s) {
        Object split = s.meta().get("split");
        return split == null || split.equals("test") ? "" : "/" + split;
    }

    /** Global parameters, then a weight shared by every model: {@code d0.5-l1}, {@code w0.333}. */
    private static String mergePart(Step s) {
        List<String> parts = new ArrayList<>();
        if (s.inputs().get("parameters") instanceof Map<?, ?> p) {
            p.forEach((k, v) -> parts.add(SHORT.getOrDefault(String.valueOf(k), String.valueOf(k)) + compact(v)));
        }
        if (s.inputs().get("models") instanceof List<?> models && !models.isEmpty()) {
            Set<Object> weights = new LinkedHashSet<>();
            for (Object o : models) {
                Object params = o instanceof Map<?, ?> m ? m.get("parameters") : null;
                weights.add(params instanceof Map<?, ?> pm ? pm.get("weight") : null);
            }
            if (weights.size() == 1 && weights.iterator().next() != null
                    && !(s.inputs().get("parameters") instanceof Map<?, ?> p && p.containsKey("weight"))) {
                parts.add("w" + compact(weights.iterator().next()));
            }
        }
        return parts.isEmpty() ? String.valueOf(s.meta().get("model")) : String.join("-", parts);
    }

    private static String compact(Object v) {
        if (v instanceof Number n) {
            BigDecimal d = new BigDecimal(n.toString()).round(new MathContext(3)).stripTrailingZeros();
            return d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString();
        }
        return Objects.toString(v);
    }
}
