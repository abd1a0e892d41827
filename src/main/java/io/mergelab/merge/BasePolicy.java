package io.mergelab.merge;

/** What a method needs from {@code base_model}. */
public enum BasePolicy {
    /** Task-vector methods, slerp, model_stock: a base is required. */
    REQUIRED,
    /** linear, random_select: a base, if given, is one more ordinary input (mergekit auto-adds it). */
    INPUT,
    /** passthrough: exactly one input, no base unless it is that input. */
    SINGLE_INPUT
}
