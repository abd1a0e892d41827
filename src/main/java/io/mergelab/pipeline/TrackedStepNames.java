package io.mergelab.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Readable MLflow run names and the dataset/method/model facts of a step: a fine-tune is its variant
 * ({@code yelp_0}, {@code yelp_0 seed 2}), a merge its name ({@code ties}), an evaluation
 * {@code eval/ties/yelp/test}, a baseline {@code ensemble/yelp/test}. Steps without numbers to compare (base model,
 * data, report) get no run.
 */
final class TrackedStepNames {
    private static final Pattern SEED = Pattern.compile("\\(seed (-?\\d+)\\)");

    private final Plan plan;

    TrackedStepNames(Plan plan) {
        this.plan = plan;
    }

    Plan plan() {
        return plan;
    }

    static boolean tracked(Step s) {
        return switch (s.kind()) {
            case "finetune", "pretrain", "merge", "evaluate", "ensemble", "stacker" -> true;
            default -> false;
        };
    }

    String runName(Step s) {
        Matcher m = SEED.matcher(s.label());
        String seed = m.find() ? " seed " + m.group(1) : "";
        return switch (s.kind()) {
            // the names a study gives its models: variants and merges by name, as the report lists them
            case "finetune" -> model(s) + seed + (s.label().contains(" from scratch") ? " from scratch" : "");
            case "pretrain" -> "pretrain base" + seed;
            case "merge" -> model(s) + seed;
            case "evaluate" -> "eval/" + model(s) + "/" + s.meta().get("dataset") + "/" + split(s) + seed;
            default -> s.kind() + "/" + s.meta().get("dataset") + "/" + split(s) + seed;
        };
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
            case "merge" -> s.action() instanceof MergeAction a ? a.recipe().mergeMethod()
                    : String.valueOf(s.meta().getOrDefault("method", "merge"));
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

    /** Variant names of a merge's models (or slices' sources), in recipe order. */
    List<String> mergedModels(Step s) {
        Set<String> refs = new LinkedHashSet<>();
        if (s.action() instanceof MergeAction a) {
            a.recipe().models().forEach(m -> refs.add(m.model()));
            a.recipe().slices().forEach(sl -> sl.sources().forEach(m -> refs.add(m.model())));
        }
        List<String> out = new ArrayList<>();
        for (String ref : refs) {
            if (plan.contains(ref) && plan.step(ref).kind().equals("finetune")) {
                out.add(model(plan.step(ref)));
            }
        }
        return out;
    }

    private static String split(Step s) {
        Object split = s.meta().get("split");
        return split == null ? "test" : split.toString();
    }
}
