package io.mergelab.merge.methods;

import io.mergelab.merge.BasePolicy;
import io.mergelab.merge.MergeException;
import io.mergelab.merge.MergeMethod;
import io.mergelab.merge.ModelTensor;
import io.mergelab.merge.ParamSpec;
import io.mergelab.merge.PlannedTensor;
import io.mergelab.merge.Precision;
import io.mergelab.merge.TensorMerge;

import java.util.List;

/** Weighted average (Wortsman et al., 2022): sum w_i X_i, divided by sum w_i when normalize. */
public final class LinearMethod implements MergeMethod {
    @Override
    public String name() {
        return "linear";
    }

    @Override
    public String displayName() {
        return "Linear";
    }

    @Override
    public String description() {
        return "Linear / model soup (Wortsman et al., 2022): weighted average of all inputs.";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(CommonParams.WEIGHT, ParamSpec.flag("normalize", true));
    }

    @Override
    public BasePolicy basePolicy() {
        return BasePolicy.INPUT;
    }

    /** Weights that cancel would divide by 0 under normalize: refused when planned, not after hours of merging. */
    @Override
    public void check(PlannedTensor t) {
        if (t.global().getOrDefault("normalize", 0.0) == 0) {
            return;
        }
        double sum = 0;
        for (PlannedTensor.Input in : t.inputs()) {
            sum += in.params().get("weight");
        }
        if (sum == 0) {
            throw MergeException.at(t.name(), "parameter 'weight' sums to 0 over models "
                    + t.inputs().stream().map(i -> i.model().ref()).toList()
                    + " with normalize: true (set normalize: false for weights that cancel)");
        }
    }

    @Override
    public float[] merge(TensorMerge t) {
        List<ModelTensor> in = t.inputs();
        float[] out = t.scratch() ? in.get(0).data() : new float[t.numel()];
        float[] w = new float[in.size()];
        float wsum = 0f;
        for (int k = 0; k < in.size(); k++) {
            w[k] = (float) in.get(k).param("weight");
            wsum += w[k];
        }
        boolean normalize = t.flag("normalize");
        if (normalize && wsum == 0f) {
            throw MergeException.at(t.tensor(), "parameter 'weight' sums to 0 over the models with normalize: true"
                    + " (set normalize: false to use weights that cancel)");
        }
        Precision p = t.precision();
        if (p.reduced()) {
            // mergekit's linear_merge computes in float32 whatever the inputs: result.addcmul_(x, w) per input (a fused
            // multiply-add on AVX2 CPUs), then div_, then one cast back to the input dtype
            int n = out.length;
            for (int k = 0; k < in.size(); k++) {
                float[] x = in.get(k).data();
                float wk = w[k];
                for (int i = 0; i < n; i++) {
                    out[i] = Math.fma(x[i], wk, k == 0 ? 0f : out[i]);
                }
            }
            for (int i = 0; i < n; i++) {
                out[i] = p.round(normalize ? out[i] / wsum : out[i]);
            }
            return out;
        }
        t.kernels().weightedAverage(in.stream().map(ModelTensor::data).toList(), w, normalize, out);
        return out;
    }

    @Override
    public boolean computesInDtype() {
        return true;
    }
}
