package io.mergelab.merge.methods;

import io.mergelab.merge.BasePolicy;
import io.mergelab.merge.MergeException;
import io.mergelab.merge.MergeMethod;
import io.mergelab.merge.ModelTensor;
import io.mergelab.merge.ParamSpec;
import io.mergelab.merge.Precision;
import io.mergelab.merge.TensorMerge;

import java.util.List;

/**
 * Reinforced Agent Merging as mergekit's ram.py: an element of a task vector counts when |tv| > epsilon; an element
 * only one model changed keeps that model's value (times a per-model factor lambda_k), one several changed gets
 * their mean, one nobody changed stays the base. {@code ram} has lambda_k = 1; {@code ramplus_tl} (tensor-local
 * RAM+) sets lambda_k = 1 + r·clamp(shared_k / unique_k, 0, alpha) from model k's counts of shared and unique
 * elements in this tensor ({@link RamPlusTlMethod}). In float32 in mergekit's order of operations; in bfloat16 /
 * float16 op by op as mergekit's torch ({@link #merge(TensorMerge, boolean)}).
 */
public final class RamMethod implements MergeMethod {
    @Override
    public String name() {
        return "ram";
    }

    @Override
    public String description() {
        return "RAM (Yuan et al., 2026): average the task-vector entries several models changed, keep the ones only"
                + " one model changed.";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(ParamSpec.global("epsilon", 1e-5));
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
        return merge(t, false);
    }

    /**
     * RAM, or with {@code plus} tensor-local RAM+ (reads the global parameters r and alpha too). In bfloat16 / float16:
     * the task vectors are rounded, {@code |tv| > epsilon} compares with epsilon cast to the dtype, an overlap term
     * {@code tv / count} is rounded; RAM sums the terms in float32 and rounds the sum and {@code base + sum}, while
     * RAM+'s lambda is a float32 tensor, so its terms, their sum and {@code base + sum} are float32 (rounded once on
     * output).
     */
    static float[] merge(TensorMerge t, boolean plus) {
        float[] base = t.base().data();
        int n = base.length;
        List<ModelTensor> others = t.others();
        if (others.isEmpty()) {
            return base.clone();
        }
        int m = others.size();
        Precision p = t.precision();
        // torch compares the task vector with the threshold cast to its dtype; rho's clamp takes it as float32
        float eps = (float) t.param("epsilon");
        float threshold = p.round(eps);
        float[][] tv = new float[m][];
        for (int k = 0; k < m; k++) {
            float[] x = others.get(k).data();
            float[] d = t.scratch() ? x : new float[n];
            for (int i = 0; i < n; i++) {
                d[i] = x[i] - base[i];
            }
            p.round(d);
            tv[k] = d;
        }
        int[] count = new int[n];
        for (float[] d : tv) {
            for (int i = 0; i < n; i++) {
                if (Math.abs(d[i]) > threshold) {
                    count[i]++;
                }
            }
        }
        float[] lambda = new float[m];
        java.util.Arrays.fill(lambda, 1f);
        if (plus) {
            float r = (float) t.param("r");
            float alpha = (float) t.param("alpha");
            for (int k = 0; k < m; k++) {
                long shared = 0;
                long unique = 0;
                for (int i = 0; i < n; i++) {
                    if (Math.abs(tv[k][i]) > threshold) {
                        if (count[i] > 1) {
                            shared++;
                        } else {
                            unique++;
                        }
                    }
                }
                // mergekit: shared / unique.clamp(min=epsilon), int64 counts promoted to float32
                float rho = (float) shared / Math.max((float) unique, eps);
                if (Float.isNaN(rho)) {
                    throw MergeException.at(t.tensor(), "model " + others.get(k).model() + " changes no element by"
                            + " more than epsilon " + eps + ", so ramplus_tl's shared/unique ratio is 0/0 (mergekit"
                            + " writes NaN); set epsilon > 0");
                }
                lambda[k] = 1f + r * Math.min(Math.max(rho, 0f), alpha);
            }
        }
        float[] out = t.scratch() ? base : new float[n]; // out[i] is written after base[i] is last read
        if (p.reduced()) {
            for (int i = 0; i < n; i++) {
                int c = count[i];
                float merged = 0f;
                if (c > 0) {
                    for (int k = 0; k < m; k++) {
                        float v = tv[k][i];
                        if (Math.abs(v) > threshold) {
                            merged += c == 1 ? v * lambda[k] : p.round(v / c);
                        }
                    }
                }
                out[i] = plus ? p.round(base[i] + merged) : p.round(base[i] + p.round(merged));
            }
            return out;
        }
        for (int i = 0; i < n; i++) {
            int c = count[i];
            float merged = 0f;
            if (c > 0) {
                for (int k = 0; k < m; k++) {
                    float v = tv[k][i];
                    if (Math.abs(v) > threshold) {
                        merged += c == 1 ? v * lambda[k] : v / c;
                    }
                }
            }
            out[i] = base[i] + merged;
        }
        return out;
    }
}
