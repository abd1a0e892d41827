package io.mergelab.merge.methods;

import io.mergelab.merge.BasePolicy;
import io.mergelab.merge.MergeException;
import io.mergelab.merge.MergeMethod;
import io.mergelab.merge.ModelCount;
import io.mergelab.merge.ModelTensor;
import io.mergelab.merge.ParamSpec;
import io.mergelab.merge.TensorMerge;

import java.util.List;

/**
 * Model Stock (Jang et al., 2024): t = N·cos / (1 + (N-1)·cos) from the mean pairwise cosine of the
 * task vectors; result t·mean(models) + (1-t)·base. Whole tensor, or per row with filter_wise.
 */
public final class ModelStockMethod implements MergeMethod {
    @Override
    public String name() {
        return "model_stock";
    }

    @Override
    public String description() {
        return "Model Stock (Jang et al., 2024): interpolate the average of fine-tuned models towards the base by their task-vector geometry.";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(ParamSpec.flag("filter_wise", false));
    }

    @Override
    public BasePolicy basePolicy() {
        return BasePolicy.REQUIRED;
    }

    @Override
    public ModelCount otherModels() {
        return ModelCount.atLeast(2);
    }

    @Override
    public float[] merge(TensorMerge tm) {
        List<ModelTensor> ws = tm.others();
        if (ws.size() < 2) {
            throw MergeException.at(tm.tensor(), "model_stock needs the base plus at least 2 other models, got "
                    + ws.size() + " other(s)");
        }
        float[] w0 = tm.base().data();
        int n = w0.length;
        int row = tm.flag("filter_wise") ? tm.rowLength() : n;
        int m = ws.size();
        float[] out = new float[n];
        for (int r = 0; r < n; r += row) {
            double cosSum = 0;
            int pairs = 0;
            for (int a = 0; a < m; a++) {
                for (int b = a + 1; b < m; b++) {
                    float[] xa = ws.get(a).data();
                    float[] xb = ws.get(b).data();
                    double dot = 0;
                    double na = 0;
                    double nb = 0;
                    for (int i = r; i < r + row; i++) {
                        double oa = xa[i] - w0[i];
                        double ob = xb[i] - w0[i];
                        dot += oa * ob;
                        na += oa * oa;
                        nb += ob * ob;
                    }
                    double c = dot / Math.max(Math.sqrt(na) * Math.sqrt(nb), 1e-6);
                    cosSum += Math.max(-1, Math.min(1, c));
                    pairs++;
                }
            }
            double cos = cosSum / pairs;
            float t = (float) (m * cos / (1 + (m - 1) * cos));
            for (int i = r; i < r + row; i++) {
                float sum = 0f;
                for (ModelTensor x : ws) {
                    sum += x.data()[i];
                }
                out[i] = t * (sum / m) + (1 - t) * w0[i];
            }
        }
        return out;
    }
}
