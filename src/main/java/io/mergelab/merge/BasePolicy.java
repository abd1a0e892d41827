package io.mergelab.merge;

/** What a method needs from {@code base_model}. */
public enum BasePolicy {
    /** Task-vector methods, slerp, model_stock: a base is required. */
    REQUIRED,
    /**
     * nuslerp, multislerp: a base is optional; when given it is the origin the other models are measured from
     * (task vectors), not one more input, and per-model parameters are not read for it (mergekit's OPTIONAL).
     */
    OPTIONAL,
    /** linear, random_select, karcher: a base, if given, is one more ordinary input (mergekit auto-adds it). */
    INPUT,
    /** passthrough: exactly one input, no base unless it is that input. */
    SINGLE_INPUT;

    /** Whether the base stands apart from the inputs the method weighs, so it takes no per-model parameters. */
    public boolean baseIsOrigin() {
        return this == REQUIRED || this == OPTIONAL;
    }
}
