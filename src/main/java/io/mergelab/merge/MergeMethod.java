package io.mergelab.merge;

import java.util.List;

/**
 * One merge algorithm, applied tensor by tensor. Implementations are stateless and thread-safe; they
 * are found with {@link java.util.ServiceLoader} ({@code META-INF/services/io.mergelab.merge.MergeMethod}),
 * so a jar on the classpath can add one.
 */
public interface MergeMethod {
    /** The {@code merge_method} string. */
    String name();

    /** Every parameter the method reads; any other parameter in a recipe is an error. */
    List<ParamSpec> parameters();

    BasePolicy basePolicy();

    /** How many models besides the base each tensor takes; checked when the recipe is planned. */
    default ModelCount otherModels() {
        return ModelCount.ANY;
    }

    /**
     * Checks one planned tensor's resolved parameters before any tensor is merged (linear: weights that sum to 0 under
     * normalize). Throws {@link MergeException} saying what is wrong; the planner prefixes the recipe file.
     */
    default void check(PlannedTensor tensor) {
    }

    /** Short description for the README model card. */
    default String description() {
        return name();
    }

    /**
     * The method's name in a paper's table ("TIES", "DARE-TIES"): by default the description up to its citation or
     * colon. A study's {@code report.names} overrides it.
     */
    default String displayName() {
        String d = description();
        int end = d.length();
        for (String stop : new String[] {" (", ":", "."}) {
            int i = d.indexOf(stop);
            if (i > 0 && i < end) {
                end = i;
            }
        }
        return d.substring(0, end).strip();
    }

    /**
     * Merges one tensor into an array of the same length. Inputs are modified only when
     * {@link TensorMerge#scratch()} allows it (the result may then be one of the input arrays).
     *
     * @throws MergeException naming the tensor (and model / parameter) when the inputs do not fit the method
     */
    float[] merge(TensorMerge t);

    /**
     * True when {@link #merge} is written against {@link TensorMerge#precision()}: with {@code dtype: bfloat16} (or
     * float16, or such inputs) it gets inputs cast to that type and rounds each intermediate where mergekit's torch ops
     * round, so the result equals mergekit's. False (the default, for a method not yet written that way): the engine
     * hands it the inputs as read and {@link Precision#FLOAT32}, the result is rounded once on output, and the model
     * card says so.
     */
    default boolean computesInDtype() {
        return false;
    }
}
