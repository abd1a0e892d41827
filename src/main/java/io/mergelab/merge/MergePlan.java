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

    /**
     * What mergekit computes {@code t} in: the recipe's {@code dtype}, else the promoted dtype of the inputs
     * ({@code torch.promote_types}; F32 with BF16 gives float32).
     */
    public static Precision mergekitPrecision(MergeRecipe recipe, PlannedTensor t) {
        return recipe.dtype().map(Precision::named)
                .orElseGet(() -> Precision.promoted(t.inputs().stream().map(i -> i.info().dtype()).toList()));
    }

    /**
     * What mergelab computes {@code t} in: mergekit's precision, but float32 (the inputs as read, rounded once on
     * output) under {@code accumulate: float32} or for a method not written against {@link Precision}.
     */
    public Precision precision(PlannedTensor t) {
        return recipe.accumulateFloat32() || !method.computesInDtype() ? Precision.FLOAT32
                : mergekitPrecision(recipe, t);
    }

    /** A classifier's head kept as is: {@code heads/<name>/} holds its score.weight and labels. */
    public record TaskHead(String name, ModelInput model, List<String> labels) {
        public TaskHead {
            labels = List.copyOf(labels);
        }
    }
}
