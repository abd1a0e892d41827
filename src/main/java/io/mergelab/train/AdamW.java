package io.mergelab.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.mergelab.model.gpt2.TorchOwned;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW exactly as {@code torch.optim.AdamW} computes it (single-tensor CPU path): decoupled decay
 * {@code p *= 1 - lr·wd}, moments via lerp/addcmul, bias correction applied as
 * {@code p -= lr/bc1 · m / (sqrt(v)/sqrt(bc2) + eps)}.
 *
 * <p>On the CPU the update is one fused pass in Java over the tensors' own memory ({@link FusedAdamW}): the
 * op-by-op form made four 51 MB temporaries per step for GPT-2's embedding and read it ten times, 80 % of a
 * fine-tuning step. Both forms round every operation as the tensor ops do, so they agree to the bit.
 *
 * <p>DJL's {@code Optimizer.adamW()} is not used: it folds bias correction into the learning rate
 * (MXNet style), which moves eps inside the correction ({@code eps·sqrt(bc2)}), and it applies one decay
 * to all parameters; neither matches transformers.
 */
public final class AdamW implements AutoCloseable {
    private final List<TrainableParameter> params;
    private final List<TrainableParameter> dense;
    private final EmbeddingRows rows;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final NDManager manager;
    private final List<NDArray> expAvg = new ArrayList<>();
    private final List<NDArray> expAvgSq = new ArrayList<>();
    private final boolean fused;
    private final FusedAdamW pass;
    private int step;
    /** The clipping factor the fused pass applies to dense CPU gradients as it reads them (1: none). */
    private float pendingScale = 1f;
    /** Whether the last fused pass left the dense CPU gradients zero (its zero_grad is then already done). */
    private boolean gradientsZeroed;

    public AdamW(List<TrainableParameter> params, double beta1, double beta2, double eps, double weightDecay,
            NDManager parent) {
        this(params, null, beta1, beta2, eps, weightDecay, parent, true);
    }

    /**
     * @param rows   null, or the parameter of {@code params} named {@code rows.name()}, trained by rows
     *               ({@link EmbeddingRows}: its gradient is collected there, not by autograd)
     * @param fused  false keeps the op-by-op form on the CPU too (tests compare the two)
     */
    AdamW(List<TrainableParameter> params, EmbeddingRows rows, double beta1, double beta2, double eps,
            double weightDecay, NDManager parent, boolean fused) {
        this.params = List.copyOf(params);
        this.rows = rows;
        this.dense = this.params.stream().filter(p -> rows == null || !p.name().equals(rows.name())).toList();
        if (rows != null && dense.size() != this.params.size() - 1) {
            throw new IllegalArgumentException("embedding " + rows.name() + " is not among the trained parameters");
        }
        this.fused = fused;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.manager = parent.newSubManager();
        this.pass = new FusedAdamW(JniUtils.getNumThreads());
        for (TrainableParameter p : this.params) {
            expAvg.add(manager.zeros(p.array().getShape()));
            expAvgSq.add(manager.zeros(p.array().getShape()));
        }
    }

    /** Every parameter this optimiser updates. */
    public List<TrainableParameter> parameters() {
        return params;
    }

    /** Completed updates (torch's state["step"]). */
    public int stepCount() {
        return step;
    }

    /** After each micro-batch's backward pass: moves a row-trained embedding's gradient into the step's. */
    void afterBackward() {
        gradientsZeroed = false;
        if (rows != null) {
            rows.collectGradient();
        }
    }

    /**
     * {@code clip_grad_norm_} over every gradient of the step; returns the norm before clipping. Dense CPU
     * gradients are scaled by the update's pass as it reads them (the same rounding as scaling them first).
     */
    double clipGradients(double maxNorm) {
        double total = GradientClipping.totalNorm(dense, rows);
        double coef = GradientClipping.coefficient(total, maxNorm);
        if (coef < 1.0) {
            if (rows != null) {
                rows.scaleGradient((float) coef);
            }
            for (TrainableParameter p : dense) {
                if (!fusedHere(p.array())) {
                    try (NDArray g = p.array().getGradient()) {
                        g.muli((float) coef);
                    }
                }
            }
            pendingScale = (float) coef;
        }
        return total;
    }

    private boolean fusedHere(NDArray a) {
        return fused && Device.Type.CPU.equals(a.getDevice().getDeviceType());
    }

    /** Brings deferred work into the weights, so they can be read whole (evaluation, saving). */
    void syncWeights() {
        if (rows != null) {
            rows.syncAll();
        }
    }

    /** Applies one update with the gradients currently attached to the parameters. Grad mode must be off. */
    public void step(double lr) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        float stepSize = (float) (lr / bc1);
        float decayFactor = (float) (1 - lr * weightDecay);
        FusedAdamW.Scalars scalars = new FusedAdamW.Scalars(decayFactor, stepSize, (float) bc2Sqrt,
                (float) (1 - beta1), (float) beta2, (float) (1 - beta2), (float) eps, pendingScale, true);
        for (int i = 0; i < params.size(); i++) {
            TrainableParameter tp = params.get(i);
            NDArray p = tp.array();
            NDArray m = expAvg.get(i);
            NDArray v = expAvgSq.get(i);
            if (rows != null && tp.name().equals(rows.name())) {
                rows.step(step, pass, direct(m), direct(v), scalars);
                continue;
            }
            try (NDArray g = p.getGradient()) {
                boolean decay = tp.decay() && weightDecay != 0;
                if (fusedHere(p)) {
                    pass.step(direct(p), direct(g), direct(m), direct(v), decay, scalars);
                } else {
                    ndArrayStep(p, g, m, v, decay, decayFactor, stepSize, (float) bc2Sqrt);
                }
            }
        }
        pendingScale = 1f;
        gradientsZeroed = true;
    }

    /** The array's own memory as floats (CPU, contiguous: parameters, their gradients and the moments are). */
    private static FloatBuffer direct(NDArray a) {
        return EmbeddingRows.direct(a);
    }

    /** The same arithmetic as {@link FusedAdamW}, op by op on the device (GPU). */
    private void ndArrayStep(NDArray p, NDArray g, NDArray m, NDArray v, boolean decay, float decayFactor,
            float stepSize, float bc2Sqrt) {
        // temporaries are closed explicitly: DJL attaches results to the first operand's manager
        if (decay) {
            p.muli(decayFactor);
        }
        try (NDArray sq = g.mul(g)) {
            v.muli((float) beta2).addi(sq.muli((float) (1 - beta2)));
        }
        try (NDArray diff = g.sub(m)) { // torch lerp with weight < 0.5: m + w·(g − m)
            m.addi(diff.muli((float) (1 - beta1)));
        }
        try (NDArray denom = v.sqrt(); NDArray update = m.div(denom.divi(bc2Sqrt).addi((float) eps))) {
            p.subi(update.muli(stepSize));
        }
    }

    /** Resets every parameter's gradient to zero (torch zero_grad) before the next accumulation. */
    public void zeroGrad() {
        for (TrainableParameter p : dense) {
            if (!(gradientsZeroed && fusedHere(p.array()))) {
                JniUtils.zeroGrad((PtNDArray) p.array());
            }
        }
        if (rows != null) {
            rows.clearGradient();
        }
        pendingScale = 1f;
    }

    /** Optimiser state for checkpoints: "exp_avg.NAME" and "exp_avg_sq.NAME" → values. */
    public Map<String, float[]> state() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            out.put("exp_avg." + params.get(i).name(), expAvg.get(i).toFloatArray());
            out.put("exp_avg_sq." + params.get(i).name(), expAvgSq.get(i).toFloatArray());
        }
        return out;
    }

    /** Restores {@link #state()} and the step count written with it (weights saved in sync with them). */
    public void load(Map<String, float[]> state, int stepCount) {
        for (int i = 0; i < params.size(); i++) {
            String name = params.get(i).name();
            TorchOwned.replace(expAvg.get(i), require(state, "exp_avg." + name, expAvg.get(i)));
            TorchOwned.replace(expAvgSq.get(i), require(state, "exp_avg_sq." + name, expAvgSq.get(i)));
            if (rows != null && name.equals(rows.name())) {
                rows.restore(stepCount, direct(expAvg.get(i)), direct(expAvgSq.get(i)));
            }
        }
        this.step = stepCount;
    }

    private static float[] require(Map<String, float[]> state, String key, NDArray like) {
        float[] v = state.get(key);
        if (v == null || v.length != like.size()) {
            throw new IllegalArgumentException("optimizer state: tensor " + key + " is missing or has "
                    + (v == null ? "no" : v.length) + " values, expected " + like.size());
        }
        return v;
    }

    @Override
    public void close() {
        pass.close();
        manager.close();
    }
}
