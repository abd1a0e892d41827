package io.mergelab.merge.methods;

import io.mergelab.merge.BasePolicy;
import io.mergelab.merge.MergeException;
import io.mergelab.merge.MergeMethod;
import io.mergelab.merge.ModelCount;
import io.mergelab.merge.ModelTensor;
import io.mergelab.merge.ParamSpec;
import io.mergelab.merge.Precision;
import io.mergelab.merge.TensorMerge;
import io.mergelab.merge.TorchReductions;

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
        if (tm.precision().reduced()) {
            return mergeInDtype(w0, ws, row, tm.precision());
        }
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

    @Override
    public boolean computesInDtype() {
        return true;
    }

    /**
     * model_stock_merge_method in bfloat16 / float16, op by op: offsets w - w0; per pair torch.norm of each (accumulated
     * in float32, rounded once), their product clamped at 1e-6, the sum of the rounded element products, the cosine
     * clamped to [-1, 1]; the mean cosine; t = N·cos / (1 + (N-1)·cos), 0 where the denominator is below 1e-6; then
     * t · (sum(ws) / N) + (1 - t) · w0, every op rounded.
     */
    private static float[] mergeInDtype(float[] w0, List<ModelTensor> ws, int row, Precision p) {
        int n = w0.length;
        int m = ws.size();
        float[][] off = new float[m][n];
        for (int k = 0; k < m; k++) {
            float[] x = ws.get(k).data();
            for (int i = 0; i < n; i++) {
                off[k][i] = p.round(x[i] - w0[i]);
            }
        }
        float[] out = new float[n];
        for (int r = 0; r < n; r += row) {
            float[] norm = new float[m];
            for (int k = 0; k < m; k++) {
                norm[k] = TorchReductions.norm(p, off[k], r, r + row);
            }
            float cosSum = 0f;
            int pairs = 0;
            for (int a = 0; a < m; a++) {
                for (int b = a + 1; b < m; b++) {
                    float product = p.round(norm[a] * norm[b]);
                    float clamped = product < 1e-6f ? p.round(1e-6f) : product;
                    double dot = 0;
                    for (int i = r; i < r + row; i++) {
                        dot += p.round(off[a][i] * off[b][i]);
                    }
                    float c = p.round(p.roundSum(dot) / clamped);
                    cosSum += Math.max(-1f, Math.min(1f, c));
                    pairs++;
                }
            }
            float cos = p.round(cosSum / pairs); // mean(dim=0): a float32 sum divided, rounded once
            float denominator = p.round(1f + p.round((m - 1) * cos));
            float t = Math.abs(denominator) < 1e-6f ? 0f : p.round(p.round(m * cos) / denominator);
            float oneMinusT = p.round(1f - t);
            for (int i = r; i < r + row; i++) {
                float sum = ws.get(0).data()[i];
                for (int k = 1; k < m; k++) {
                    sum = p.round(sum + ws.get(k).data()[i]); // Python's sum(ws): one tensor add per model
                }
                float average = p.round(sum / m);
                out[i] = p.round(p.round(t * average) + p.round(oneMinusT * w0[i]));
            }
        }
        return out;
    }
}
