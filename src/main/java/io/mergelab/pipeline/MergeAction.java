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
 */
record MergeAction(String method, List<Map.Entry<String, Map<String, Object>>> models, String baseStep,
                   Map<String, Object> parameters, long seed, Merger merger) implements StepAction {
    @Override
    public void run(StepContext ctx) throws Exception {
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
        DumperOptions opts = new DumperOptions();
        opts.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Path file = ctx.workDir().resolve("mergekit_config.yml");
        Files.writeString(file, new Yaml(opts).dump(recipe));
        merger.merge(file, ctx.workDir().resolve("model"), seed);
    }
}
