package io.mergelab.merge.methods;

import io.mergelab.merge.BasePolicy;
import io.mergelab.merge.MergeMethod;
import io.mergelab.merge.ModelCount;
import io.mergelab.merge.ParamSpec;
import io.mergelab.merge.Precision;
import io.mergelab.merge.TensorMerge;

import java.util.List;

/**
 * NearSwap as mergekit's nearswap.py: per element w = clamp(t / max(|a - b|, 1e-6), 0, 1), result w·b + (1-w)·a
 * with a the base and b the other model, so b's values replace the base's where the two lie within t of each other
 * and only nudge it where they are far apart.
 */
public final class NearswapMethod implements MergeMethod {
    @Override
    public String name() {
        return "nearswap";
    }

    @Override
    public String displayName() {
        return "NearSwap";
    }

    @Override
    public String description() {
        return "NearSwap (alchemonaut, 2024): take the other model's value where it lies within t of the base;"
                + " elsewhere move towards it by t over their distance.";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(ParamSpec.global("t", null));
    }

    @Override
    public BasePolicy basePolicy() {
        return BasePolicy.REQUIRED;
    }

    @Override
    public ModelCount otherModels() {
        return ModelCount.exactly(1);
    }

    @Override
    public boolean computesInDtype() {
        return true;
    }

    @Override
    public float[] merge(TensorMerge tm) {
        float[] a = tm.base().data();
        float[] b = tm.others().get(0).data();
        float t = (float) tm.param("t");
        float[] out = new float[a.length];
        Precision p = tm.precision();
        if (p.reduced()) {
            // each torch op rounded; clamp's 1e-6 is cast to the dtype, t and 1 stay float32 scalars
            float floor = p.round(1e-6f);
            for (int i = 0; i < a.length; i++) {
                float recip = p.round(1f / Math.max(Math.abs(p.round(a[i] - b[i])), floor));
                float w = Math.min(Math.max(p.round(recip * t), 0f), 1f);
                out[i] = p.round(p.round(w * b[i]) + p.round(p.round(1f - w) * a[i]));
            }
            return out;
        }
        for (int i = 0; i < a.length; i++) {
            // mergekit's t / x is torch's x.reciprocal() * t: two float32 roundings, kept for parity
            float w = 1f / Math.max(Math.abs(a[i] - b[i]), 1e-6f) * t;
            w = Math.min(Math.max(w, 0f), 1f);
            out[i] = w * b[i] + (1f - w) * a[i];
        }
        return out;
    }
}
