package io.mergelab.merge.methods;

import io.mergelab.merge.BasePolicy;
import io.mergelab.merge.MergeException;
import io.mergelab.merge.MergeMethod;
import io.mergelab.merge.ModelTensor;
import io.mergelab.merge.ParamSpec;
import io.mergelab.merge.TensorMerge;

import java.util.List;
import java.util.SplittableRandom;

/**
 * LUNK-style random selection: each tensor (or, with {@code per_element: true}, each element) is copied
 * from one model drawn with probability weight_i / sum(weight). Seeded per tensor, so reproducible.
 */
public final class RandomSelectMethod implements MergeMethod {
    @Override
    public String name() {
        return "random_select";
    }

    @Override
    public String description() {
        return "Random selection (LUNK): each tensor or element taken from one model, drawn with the given probabilities.";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(CommonParams.WEIGHT.withDefault(1.0), ParamSpec.flag("per_element", false));
    }

    @Override
    public BasePolicy basePolicy() {
        return BasePolicy.INPUT;
    }

    @Override
    public float[] merge(TensorMerge t) {
        List<ModelTensor> in = t.inputs();
        double[] cum = new double[in.size()];
        double sum = 0;
        for (int k = 0; k < in.size(); k++) {
            double w = in.get(k).param("weight");
            if (w < 0) {
                throw MergeException.at(t.tensor(), "model " + in.get(k).model() + ": parameter 'weight' is a "
                        + "selection probability and must be >= 0, got " + w);
            }
            sum += w;
            cum[k] = sum;
        }
        if (sum <= 0) {
            throw MergeException.at(t.tensor(), "parameter 'weight' sums to 0: no model can be selected");
        }
        SplittableRandom rng = t.random();
        if (!t.flag("per_element")) {
            return in.get(pick(cum, rng.nextDouble() * sum)).data().clone();
        }
        int n = t.numel();
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = in.get(pick(cum, rng.nextDouble() * sum)).data()[i];
        }
        return out;
    }

    /** It only copies input values, which arrive already cast to the dtype. */
    @Override
    public boolean computesInDtype() {
        return true;
    }

    private static int pick(double[] cum, double u) {
        for (int k = 0; k < cum.length; k++) {
            if (u < cum[k]) {
                return k;
            }
        }
        return cum.length - 1;
    }
}
