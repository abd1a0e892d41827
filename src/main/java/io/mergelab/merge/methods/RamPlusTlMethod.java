package io.mergelab.merge.methods;

import io.mergelab.merge.BasePolicy;
import io.mergelab.merge.MergeMethod;
import io.mergelab.merge.ParamSpec;
import io.mergelab.merge.TensorMerge;

import java.util.List;

/** Tensor-local RAM+ (mergekit's ramplus_tl): {@link RamMethod} with each model's unique entries scaled by lambda_k. */
public final class RamPlusTlMethod implements MergeMethod {
    @Override
    public String name() {
        return "ramplus_tl";
    }

    @Override
    public String description() {
        return "RAM+ tensor-local (Yuan et al., 2026): RAM with each model's unique updates scaled by"
                + " 1 + r * min(shared/unique, alpha) from its counts in the tensor.";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(ParamSpec.global("r", 0.1), ParamSpec.global("alpha", 0.2), ParamSpec.global("epsilon", 1e-5));
    }

    @Override
    public BasePolicy basePolicy() {
        return BasePolicy.REQUIRED;
    }

    @Override
    public boolean computesInDtype() {
        return true;
    }

    @Override
    public float[] merge(TensorMerge t) {
        return RamMethod.merge(t, true);
    }
}
