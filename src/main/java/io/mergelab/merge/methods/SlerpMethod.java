package io.mergelab.merge.methods;

import io.mergelab.merge.BasePolicy;
import io.mergelab.merge.MergeException;
import io.mergelab.merge.MergeMethod;
import io.mergelab.merge.ModelCount;
import io.mergelab.merge.ParamSpec;
import io.mergelab.merge.TensorMerge;

import java.util.List;

/** Spherical interpolation of the whole flattened tensor from the base (t=0) to the other model (t=1). */
public final class SlerpMethod implements MergeMethod {
    private static final double DOT_THRESHOLD = 0.9995;
    private static final double EPS = 1e-8;

    @Override
    public String name() {
        return "slerp";
    }

    @Override
    public String description() {
        return "SLERP (Shoemake, 1985): spherical interpolation between the base and one other model.";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(CommonParams.T);
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
    public float[] merge(TensorMerge tm) {
        if (tm.others().size() != 1) {
            throw MergeException.at(tm.tensor(), "slerp needs exactly two models (the base and one other), got "
                    + tm.inputs().size());
        }
        float[] v0 = tm.base().data();
        float[] v1 = tm.others().get(0).data();
        double t = tm.param("t");
        double n0 = 0;
        double n1 = 0;
        double dot = 0;
        for (int i = 0; i < v0.length; i++) {
            n0 += (double) v0[i] * v0[i];
            n1 += (double) v1[i] * v1[i];
            dot += (double) v0[i] * v1[i];
        }
        n0 = Math.sqrt(n0);
        n1 = Math.sqrt(n1);
        // scalars in double: closer to exact than torch's float32 reductions; parity stays within 1e-6 relative
        double d = dot / ((n0 > EPS ? n0 : 1) * (n1 > EPS ? n1 : 1));
        float[] out = new float[v0.length];
        float c0;
        float c1;
        if (Math.abs(d) > DOT_THRESHOLD) {
            c0 = (float) (1 - t);
            c1 = (float) t;
        } else {
            double theta = Math.acos(d);
            double s = Math.sin(theta);
            c0 = (float) (Math.sin((1 - t) * theta) / s);
            c1 = (float) (Math.sin(t * theta) / s);
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = c0 * v0[i] + c1 * v1[i];
        }
        return out;
    }
}
