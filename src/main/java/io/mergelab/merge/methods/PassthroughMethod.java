package io.mergelab.merge.methods;

import io.mergelab.merge.BasePolicy;
import io.mergelab.merge.MergeException;
import io.mergelab.merge.MergeMethod;
import io.mergelab.merge.ModelTensor;
import io.mergelab.merge.ParamSpec;
import io.mergelab.merge.TensorMerge;

import java.util.List;

/** Copies the single input tensor (times {@code scale} if set); used with slices for layer stacking. */
public final class PassthroughMethod implements MergeMethod {
    @Override
    public String name() {
        return "passthrough";
    }

    @Override
    public String description() {
        return "Passthrough: tensors copied unchanged from one model per slice (optionally scaled).";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(ParamSpec.model("scale", Double.NaN));
    }

    @Override
    public BasePolicy basePolicy() {
        return BasePolicy.SINGLE_INPUT;
    }

    @Override
    public float[] merge(TensorMerge t) {
        if (t.inputs().size() != 1) {
            throw MergeException.at(t.tensor(), "passthrough takes exactly one model per tensor, got "
                    + t.inputs().size());
        }
        ModelTensor in = t.inputs().get(0);
        double scale = in.params().getOrDefault("scale", Double.NaN);
        if (Double.isNaN(scale)) {
            return in.data().clone();
        }
        float s = (float) scale;
        float[] out = new float[in.data().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = in.data()[i] * s;
        }
        t.precision().round(out); // entry.tensor * value: one op in the input dtype
        return out;
    }

    @Override
    public boolean computesInDtype() {
        return true;
    }
}
