package io.mergelab.plugin;

import io.mergelab.merge.BasePolicy;
import io.mergelab.merge.MergeMethod;
import io.mergelab.merge.ModelTensor;
import io.mergelab.merge.ParamSpec;
import io.mergelab.merge.TensorMerge;

import java.util.List;

/**
 * A merge method from outside mergelab: the plain mean of the inputs, with one optional parameter. Registered
 * only by the plug-in jar {@link PluginMethodTest} builds (its own META-INF/services file), so the rest of the
 * suite never sees it.
 */
public final class TestMeanMethod implements MergeMethod {
    @Override
    public String name() {
        return "test_mean";
    }

    @Override
    public String description() {
        return "Test mean (a plug-in): the unweighted mean of the inputs, times scale.";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(ParamSpec.global("scale", 1.0));
    }

    @Override
    public BasePolicy basePolicy() {
        return BasePolicy.INPUT;
    }

    @Override
    public float[] merge(TensorMerge t) {
        float[] out = new float[t.numel()];
        float k = (float) (t.param("scale") / t.inputs().size());
        for (ModelTensor in : t.inputs()) {
            float[] x = in.data();
            for (int i = 0; i < out.length; i++) {
                out[i] += x[i] * k;
            }
        }
        return out;
    }
}
