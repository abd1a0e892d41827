package io.mergelab.pipeline;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the mergekit recipe of one merge (model paths resolved to the fine-tuned checkpoints) as
 * {@code mergekit_config.yml} and runs the merge engine on it into {@code model/}.
 *
 * @param models     (finetune step id, per-model parameters) in recipe order
 * @param baseStep   step whose model is {@code base_model} (the base-model step or a finetune step), or null
 * @param verbatim   a mergekit block from the study config used as written (references replaced), or null
 * @param refSteps   for {@code verbatim}: each reference (variant name or {@code base}) and its step id
 */
record MergeAction(String method, List<Map.Entry<String, Map<String, Object>>> models, String baseStep,
                   Map<String, Object> parameters, long seed, Merger merger, Map<String, Object> verbatim,
                   Map<String, String> refSteps) implements StepAction {

    MergeAction(String method, List<Map.Entry<String, Map<String, Object>>> models, String baseStep,
                Map<String, Object> parameters, long seed, Merger merger) {
        this(method, models, baseStep, parameters, seed, merger, null, Map.of());
    }

    static MergeAction verbatim(Map<String, Object> recipe, Map<String, String> refSteps, long seed, Merger merger) {
        return new MergeAction(String.valueOf(recipe.get("merge_method")), List.of(), null, Map.of(), seed, merger,
                recipe, Map.copyOf(refSteps));
    }

    @Override
    public void run(StepContext ctx) throws Exception {
        Map<String, Object> recipe = verbatim != null ? resolved(ctx) : built(ctx);
        DumperOptions opts = new DumperOptions();
        opts.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Path file = ctx.workDir().resolve("mergekit_config.yml");
        Files.writeString(file, new Yaml(opts).dump(recipe));
        merger.merge(file, ctx.workDir().resolve("model"), seed);
    }

    private Map<String, Object> built(StepContext ctx) throws java.io.IOException {
        Map<String, Object> recipe = new LinkedHashMap<>();
        recipe.put("merge_method", method);
        if (baseStep != null) {
            recipe.put("base_model", ModelOutputs.modelDir(ctx.outputOf(baseStep)).toString());
        }
        List<Map<String, Object>> list = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> m : models) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("model", ModelOutputs.modelDir(ctx.outputOf(m.getKey())).toString());
            if (!m.getValue().isEmpty()) {
                entry.put("parameters", new LinkedHashMap<>(m.getValue()));
            }
            list.add(entry);
        }
        recipe.put("models", list);
        if (!parameters.isEmpty()) {
            recipe.put("parameters", new LinkedHashMap<>(parameters));
        }
        recipe.put("dtype", "float32");
        return recipe;
    }

    /** A deep copy of the verbatim block with every {@code model:} and {@code base_model:} reference resolved. */
    private Map<String, Object> resolved(StepContext ctx) throws java.io.IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> copy = (Map<String, Object>) resolve(verbatim, null, ctx);
        return copy;
    }

    private Object resolve(Object node, String key, StepContext ctx) throws java.io.IOException {
        if (node instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.put(String.valueOf(e.getKey()), resolve(e.getValue(), String.valueOf(e.getKey()), ctx));
            }
            return out;
        }
        if (node instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object v : l) {
                out.add(resolve(v, null, ctx));
            }
            return out;
        }
        if (node instanceof String s && ("model".equals(key) || "base_model".equals(key)) && refSteps.containsKey(s)) {
            return ModelOutputs.modelDir(ctx.outputOf(refSteps.get(s))).toString();
        }
        return node;
    }
}
