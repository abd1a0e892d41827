package io.mergelab.merge.methods;

import io.mergelab.merge.BasePolicy;
import io.mergelab.merge.MergeException;
import io.mergelab.merge.MergeMethod;
import io.mergelab.merge.ModelTensor;
import io.mergelab.merge.ParamSpec;
import io.mergelab.merge.Precision;
import io.mergelab.merge.TensorMerge;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * mergekit's generalized task arithmetic: per model, delta = X - base, sparsified; deltas are scaled
 * by their weight BEFORE sign election; with consensus, normalisation divides per element by the
 * weights of the agreeing models, otherwise by the scalar weight sum; then lambda; result base + mixed.
 * All arithmetic in float32, in the same order as mergekit; in bfloat16 / float16 op by op as mergekit's torch.
 */
abstract class TaskVectorMerge implements MergeMethod {
    /**
     * What distinguishes one member of the family, written with named steps as mergekit's registry.py writes its
     * instances with named arguments: {@code Spec.plain().electingSigns().sparsifiedBy(MAGNITUDE).normalizedByDefault()}
     * is TIES.
     *
     * @param consensus  TIES sign election (mergekit's {@code consensus_method="sum"})
     * @param sparsifier how each task vector is thinned before mixing, or null (none)
     * @param normalize  the default of the {@code normalize} parameter
     * @param rescale    the default of the {@code rescale} parameter
     */
    record Spec(boolean consensus, Sparsifier sparsifier, boolean normalize, boolean rescale) {
        /** Task arithmetic: no sparsification, no sign election, neither flag on by default. */
        static Spec plain() {
            return new Spec(false, null, false, false);
        }

        Spec electingSigns() {
            return new Spec(true, sparsifier, normalize, rescale);
        }

        Spec sparsifiedBy(Sparsifier s) {
            return new Spec(consensus, s, normalize, rescale);
        }

        Spec normalizedByDefault() {
            return new Spec(consensus, sparsifier, true, rescale);
        }

        Spec rescaledByDefault() {
            return new Spec(consensus, sparsifier, normalize, true);
        }
    }

    private final boolean consensus;
    private final Sparsifier sparsifier;
    private final boolean defaultNormalize;
    private final boolean defaultRescale;

    TaskVectorMerge(Spec spec) {
        this.consensus = spec.consensus();
        this.sparsifier = spec.sparsifier();
        this.defaultNormalize = spec.normalize();
        this.defaultRescale = spec.rescale();
    }

    @Override
    public List<ParamSpec> parameters() {
        List<ParamSpec> p = new ArrayList<>(List.of(ParamSpec.flag("int8_mask", false),
                ParamSpec.flag("normalize", defaultNormalize), ParamSpec.flag("rescale", defaultRescale),
                ParamSpec.global("lambda", 1.0).in(0, true, 10, false), CommonParams.WEIGHT, CommonParams.DENSITY));
        if (sparsifier == Sparsifier.MAGNITUDE_OUTLIERS) {
            p.add(ParamSpec.model("gamma", 0.01).in(0, 1));
        }
        if (sparsifier == Sparsifier.DELLA_MAGPRUNE) {
            p.add(ParamSpec.model("epsilon", 0.15).in(0, 1));
        }
        return List.copyOf(p);
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
        float[] base = t.base().data();
        int n = base.length;
        List<ModelTensor> others = t.others();
        if (others.isEmpty()) {
            return base.clone();
        }
        if (t.precision().reduced()) {
            return mergeInDtype(t, t.precision());
        }
        int m = others.size();
        boolean rescale = t.flag("rescale");
        float[][] wd = new float[m][];
        float[] w = new float[m];
        SplittableRandom rng = t.random();
        for (int k = 0; k < m; k++) {
            ModelTensor mt = others.get(k);
            float[] x = mt.data();
            float[] delta = t.scratch() ? x : new float[n];
            for (int i = 0; i < n; i++) {
                delta[i] = x[i] - base[i];
            }
            // one independent stream per model, split in model order: deterministic for any thread count
            SplittableRandom modelRng = rng.split();
            double density = mt.params().getOrDefault("density", 1.0);
            if (density <= 0 || density > 1) {
                throw MergeException.at(t.tensor(), "model " + mt.model() + ": parameter 'density' is " + density
                        + "; it must lie in (0, 1]");
            }
            if (sparsifier != null) {
                delta = sparsifier.apply(t.tensor(), mt.model(), delta, density,
                        mt.params().getOrDefault("gamma", 0.0), mt.params().getOrDefault("epsilon", 0.0),
                        t.rowLength(), rescale, true, modelRng, t.halfInputs());
            }
            w[k] = (float) mt.param("weight");
            float wk = w[k];
            for (int i = 0; i < n; i++) {
                delta[i] *= wk;
            }
            wd[k] = delta;
        }
        boolean normalize = t.flag("normalize");
        float lambda = (float) t.param("lambda");
        float[] out = t.scratch() ? base : new float[n]; // out[i] is written after base[i] is last read
        if (consensus) {
            // blocked so the inner loops are branch-free and vectorise; per element the sums still run over
            // models in order, so results are bit-identical to the element-at-a-time form
            final int block = 4096;
            float[] s = new float[block];
            float[] mixed = new float[block];
            float[] div = new float[block];
            for (int start = 0; start < n; start += block) {
                int len = Math.min(block, n - start);
                java.util.Arrays.fill(s, 0, len, 0f);
                java.util.Arrays.fill(mixed, 0, len, 0f);
                java.util.Arrays.fill(div, 0, len, 0f);
                for (int k = 0; k < m; k++) {
                    float[] d = wd[k];
                    for (int j = 0; j < len; j++) {
                        s[j] += d[start + j];
                    }
                }
                for (int k = 0; k < m; k++) {
                    float[] d = wd[k];
                    float wk = w[k];
                    for (int j = 0; j < len; j++) {
                        float v = d[start + j];
                        // sign(v) == majority, majority = +1 where s >= 0; zeros never agree
                        boolean agree = s[j] >= 0f ? v > 0f : v < 0f;
                        mixed[j] += agree ? v : 0f;
                        div[j] += agree ? wk : 0f;
                    }
                }
                for (int j = 0; j < len; j++) {
                    float mx = mixed[j];
                    if (normalize) {
                        float dv = div[j];
                        mx /= dv == 0f ? 1f : dv;
                    }
                    if (lambda != 1f) {
                        mx *= lambda;
                    }
                    out[start + j] = base[start + j] + mx;
                }
            }
        } else {
            float divisor = 0f;
            for (int k = 0; k < m; k++) {
                divisor += w[k];
            }
            if (Math.abs(divisor) < 1e-8f) {
                divisor = 1f;
            }
            t.kernels().addTaskVectors(base, java.util.Arrays.asList(wd), normalize ? divisor : 1f, lambda, out);
        }
        return out;
    }

    /**
     * merge_group of generalized_task_arithmetic.py in bfloat16 / float16, op by op: delta = x - base, sparsified,
     * times the weight (a tensor of the dtype, so the weight is rounded too); the sums over models (sign election, the
     * agreeing deltas, their weights) accumulate in float32 and round once; then division, lambda and base + mixed,
     * each rounded.
     */
    private float[] mergeInDtype(TensorMerge t, Precision p) {
        float[] base = t.base().data();
        int n = base.length;
        List<ModelTensor> others = t.others();
        int m = others.size();
        boolean rescale = t.flag("rescale");
        float[][] wd = new float[m][];
        float[] w = new float[m];
        SplittableRandom rng = t.random();
        for (int k = 0; k < m; k++) {
            ModelTensor mt = others.get(k);
            float[] x = mt.data();
            float[] delta = t.scratch() ? x : new float[n];
            for (int i = 0; i < n; i++) {
                delta[i] = p.round(x[i] - base[i]);
            }
            SplittableRandom modelRng = rng.split();
            double density = mt.params().getOrDefault("density", 1.0);
            if (density <= 0 || density > 1) {
                throw MergeException.at(t.tensor(), "model " + mt.model() + ": parameter 'density' is " + density
                        + "; it must lie in (0, 1]");
            }
            if (sparsifier != null) {
                delta = sparsifier.applyInDtype(t.tensor(), mt.model(), delta, density,
                        mt.params().getOrDefault("gamma", 0.0), mt.params().getOrDefault("epsilon", 0.0),
                        t.rowLength(), rescale, true, modelRng, p);
            }
            w[k] = p.round((float) mt.param("weight"));
            for (int i = 0; i < n; i++) {
                delta[i] = p.round(delta[i] * w[k]);
            }
            wd[k] = delta;
        }
        boolean normalize = t.flag("normalize");
        float lambda = (float) t.param("lambda");
        float divisor = 0f;
        for (int k = 0; k < m; k++) {
            divisor += w[k];
        }
        divisor = p.round(divisor);
        if (Math.abs(divisor) < 1e-8f) {
            divisor = 1f;
        }
        float[] out = t.scratch() ? base : new float[n];
        for (int i = 0; i < n; i++) {
            float mixed = 0f;
            float div = divisor;
            if (consensus) {
                float s = 0f;
                for (int k = 0; k < m; k++) {
                    s += wd[k][i];
                }
                boolean positive = p.round(s) >= 0f;
                div = 0f;
                for (int k = 0; k < m; k++) {
                    float v = wd[k][i];
                    if (positive ? v > 0f : v < 0f) { // sign(v) == majority: zeros never agree
                        mixed += v;
                        div += w[k];
                    }
                }
                div = p.round(div);
                if (div == 0f) {
                    div = 1f;
                }
            } else {
                for (int k = 0; k < m; k++) {
                    mixed += wd[k][i];
                }
            }
            mixed = p.round(mixed);
            if (normalize) {
                mixed = p.round(mixed / div);
            }
            if (lambda != 1f) {
                mixed = p.round(mixed * lambda);
            }
            out[i] = p.round(base[i] + mixed);
        }
        return out;
    }
}
