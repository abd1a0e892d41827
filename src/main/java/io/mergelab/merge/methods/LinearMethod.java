package io.mergelab.merge.methods;

import io.mergelab.merge.BasePolicy;
import io.mergelab.merge.MergeException;
import io.mergelab.merge.MergeMethod;
import io.mergelab.merge.ModelTensor;
import io.mergelab.merge.ParamSpec;
import io.mergelab.merge.TensorMerge;

import java.util.List;

/** Weighted average (Wortsman et al., 2022): sum w_i X_i, divided by sum w_i when normalize. */
public final class LinearMethod implements MergeMethod {
    @Override
    public String name() {
        return "linear";
    }

    @Override
    public String description() {
        return "Linear / model soup (Wortsman et al., 2022): weighted average of all inputs.";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(ParamSpec.model("weight", null), ParamSpec.flag("normalize", true));
    }

    @Override
    public BasePolicy basePolicy() {
        return BasePolicy.INPUT;
    }

    @Override
    public float[] merge(TensorMerge t) {
        List<ModelTensor> in = t.inputs();
        int n = t.numel();
        float[] out = t.scratch() ? in.get(0).data() : new float[n];
        float wsum = 0f;
        for (int k = 0; k < in.size(); k++) {
            float w = (float) in.get(k).param("weight");
            wsum += w;
            float[] x = in.get(k).data();
            if (k == 0) {
                for (int i = 0; i < n; i++) {
                    out[i] = x[i] * w;
                }
            } else {
                for (int i = 0; i < n; i++) {
                    out[i] += x[i] * w;
                }
            }
        }
        if (t.flag("normalize")) {
            if (wsum == 0f) {
                throw MergeException.at(t.tensor(), "parameter 'weight' sums to 0 over the models with normalize: true"
                        + " (set normalize: false to use weights that cancel)");
            }
            for (int i = 0; i < n; i++) {
                out[i] /= wsum;
            }
        }
        return out;
    }
}
