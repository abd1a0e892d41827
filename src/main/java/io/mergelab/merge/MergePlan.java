package io.mergelab.merge;

import io.mergelab.merge.recipe.MergeRecipe;
import io.mergelab.model.checkpoint.DType;
import io.mergelab.model.checkpoint.Gpt2Config;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything needed to run one recipe: the resolved inputs, the output config and each output tensor.
 *
 * @param donor        the model whose config (and by default tokenizer) the output takes: base_model, else the first model
 * @param taskHeads    for {@link HeadMode#PER_TASK}: each classifier's own head, written under {@code heads/}
 * @param tokenizerDir where tokenizer files are copied from (null: none)
 * @param notes        lines for the README (deviations, head handling)
 */
public record MergePlan(MergeRecipe recipe, MergeMethod method, List<ModelInput> models, ModelInput donor,
        Gpt2Config outputConfig, HeadMode headMode, List<TaskHead> taskHeads, List<PlannedTensor> tensors,
        DType outDtype, Path tokenizerDir, long seed, List<String> notes) {

    public MergePlan {
        models = List.copyOf(models);
        taskHeads = List.copyOf(taskHeads);
        tensors = List.copyOf(tensors);
        notes = List.copyOf(notes);
    }

    /** A classifier's head kept as is: {@code heads/<name>/} holds its score.weight and labels. */
    public record TaskHead(String name, ModelInput model, List<String> labels) {
        public TaskHead {
            labels = List.copyOf(labels);
        }
    }
}
