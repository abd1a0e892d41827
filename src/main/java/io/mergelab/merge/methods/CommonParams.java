package io.mergelab.merge.methods;

import io.mergelab.merge.ParamSpec;

/**
 * Parameters several methods read with one meaning, declared once so their ranges and defaults agree.
 */
final class CommonParams {
    /** A model's weight: required where a method sums weighted models; ±10 guards against typos such as 50. */
    static final ParamSpec WEIGHT = ParamSpec.model("weight", null).in(-10, 10);
    /** The fraction of a task vector kept; 0 would keep nothing. */
    static final ParamSpec DENSITY = ParamSpec.model("density", 1.0).in(0, true, 1, false);
    /** An interpolation factor from the first model (0) to the second (1). */
    static final ParamSpec T = ParamSpec.global("t", null).in(0, 1);

    private CommonParams() {
    }
}
