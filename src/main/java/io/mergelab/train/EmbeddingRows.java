package io.mergelab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.pytorch.engine.PtNDArray;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The token embedding of a classifier, trained row by row with exactly the arithmetic of a dense gradient.
 *
 * <p>A fine-tuning step touches a few hundred of GPT-2's 50 257 embedding rows, yet a dense gradient and
 * AdamW read and write all of them: 51 MB four times a step, most of a small model's step. Here the
 * rows a batch uses are gathered outside autograd into a leaf, their gradient is summed per row in the order
 * torch's embedding backward sums it, and AdamW updates only <em>active</em> rows — those any step has used.
 * A row no step has used has zero moments and zero gradient, so torch's update reduces to its decay
 * {@code p *= (float) (1 − lr·wd)}; those multiplications are deferred and applied in the same order, one
 * rounding each, when the row is next read ({@link #embed} for a batch, {@link #syncAll} before an
 * evaluation or a save). The weights after any number of steps are bit-identical to the dense path's;
 * only the gradient norm's summation order differs (a last-bit change in the clipping factor).
 */
final class EmbeddingRows {
    private final String name;
    private final NDArray weight;
    private final int rows;
    private final int width;
    private final boolean decay;
    /** Rows with moments (used by some step): updated every step. */
    private final boolean[] active;
    private int[] activeList = new int[256];
    private int activeCount;
    /** Steps whose decay each row has received (active rows: all). */
    private final int[] decayedThrough;
    /** factors[k]: the decay multiplier of step k (1-based); factors[0] unused. */
    private float[] factors = new float[1024];
    private int steps;
    /** This optimiser step's gradient, compact: slot[row] ≥ 0 indexes {@code grad}. */
    private final int[] slot;
    private int[] slotRows = new int[256];
    private float[] grad = new float[256 * 64];
    private int slots;
    /** The leaf of the micro-batch in flight and its token ids, until {@link #collectGradient}. */
    private NDArray pendingLeaf;
    /** One row's values while its deferred decays are applied. */
    private final float[] rowScratch;
    private long[] pendingIds;

    EmbeddingRows(String name, NDArray weight, boolean decay) {
        if (weight.getShape().dimension() != 2) {
            throw new IllegalArgumentException(name + ": an embedding is [rows, width], got " + weight.getShape());
        }
        this.name = name;
        this.weight = weight;
        this.rows = Math.toIntExact(weight.getShape().get(0));
        this.width = Math.toIntExact(weight.getShape().get(1));
        this.decay = decay;
        this.active = new boolean[rows];
        this.decayedThrough = new int[rows];
        this.slot = new int[rows];
        Arrays.fill(slot, -1);
        this.rowScratch = new float[width];
    }

    String name() {
        return name;
    }

    NDArray weight() {
        return weight;
    }

    boolean decays() {
        return decay;
    }

    /**
     * The embeddings of {@code tokens} (int64 [B, T]) as a leaf of the step's graph, in {@code tokens}' manager;
     * its gradient is collected by {@link #collectGradient} after the backward pass.
     */
    NDArray embed(NDArray tokens) {
        if (pendingLeaf != null) {
            throw new IllegalStateException(name + ": the previous micro-batch's gradient was not collected");
        }
        long[] ids = tokens.toLongArray();
        for (long id : ids) {
            if (id < 0 || id >= rows) {
                throw new IllegalArgumentException("token id " + id + " is outside the embedding's " + rows + " rows");
            }
            sync((int) id);
        }
        NDArray leaf = Embedding.embedding(tokens, weight, SparseFormat.DENSE).singletonOrThrow();
        leaf.attach(tokens.getManager()); // DJL may attach it to the weight's manager, which lives for the run
        leaf.setRequiresGradient(true);
        pendingLeaf = leaf;
        pendingIds = ids;
        return leaf;
    }

    /**
     * Adds the micro-batch's gradient to the step's: per row, the positions' gradients summed from zero in
     * position order (torch's embedding backward), then added to what earlier micro-batches left (autograd's
     * accumulation).
     */
    void collectGradient() {
        if (pendingLeaf == null) {
            return;
        }
        float[] g;
        try (NDArray leafGrad = pendingLeaf.getGradient()) {
            g = leafGrad.toFloatArray();
        }
        long[] ids = pendingIds;
        pendingLeaf = null;
        pendingIds = null;
        // this micro-batch's per-row sums, in order of first use
        java.util.Map<Integer, Integer> local = new java.util.HashMap<>();
        float[] sums = new float[ids.length * width];
        int[] localRows = new int[ids.length];
        int n = 0;
        for (int i = 0; i < ids.length; i++) {
            int row = (int) ids[i];
            Integer s = local.get(row);
            if (s == null) {
                s = n++;
                local.put(row, s);
                localRows[s] = row;
            }
            int base = s * width;
            int src = i * width;
            for (int j = 0; j < width; j++) {
                sums[base + j] = sums[base + j] + g[src + j];
            }
        }
        for (int s = 0; s < n; s++) {
            int row = localRows[s];
            int base = slotOf(row) * width;
            int src = s * width;
            for (int j = 0; j < width; j++) {
                grad[base + j] = grad[base + j] + sums[src + j];
            }
        }
    }

    private int slotOf(int row) {
        int s = slot[row];
        if (s >= 0) {
            return s;
        }
        if (slots == slotRows.length) {
            slotRows = Arrays.copyOf(slotRows, slots * 2);
        }
        if ((slots + 1) * width > grad.length) {
            grad = Arrays.copyOf(grad, Math.max(grad.length * 2, (slots + 1) * width));
        }
        Arrays.fill(grad, slots * width, (slots + 1) * width, 0f);
        slot[row] = slots;
        slotRows[slots] = row;
        return slots++;
    }

    /** The step's gradient's sum of squares (for global-norm clipping). */
    double sumOfSquares() {
        double sum = 0;
        for (int i = 0; i < slots * width; i++) {
            sum += (double) grad[i] * grad[i];
        }
        return sum;
    }

    /** Scales the step's gradient as clipping scales a dense one ({@code g *= (float) coef}). */
    void scaleGradient(float coef) {
        for (int i = 0; i < slots * width; i++) {
            grad[i] = grad[i] * coef;
        }
    }

    /** Forgets the step's gradient (zero_grad). */
    void clearGradient() {
        for (int s = 0; s < slots; s++) {
            slot[slotRows[s]] = -1;
        }
        slots = 0;
        pendingLeaf = null;
        pendingIds = null;
    }

    /**
     * One AdamW step ({@code step} is 1-based; the scalars as {@link AdamW} passes them): rows with a gradient
     * become active, every active row is updated, the others' decay is deferred.
     */
    void step(int step, FusedAdamW fused, FloatBuffer m, FloatBuffer v, FusedAdamW.Scalars given) {
        // this gradient is already clipped (scaleGradient) and is cleared by clearGradient
        FusedAdamW.Scalars scalars = new FusedAdamW.Scalars(given.decayFactor(), given.stepSize(), given.bc2Sqrt(),
                given.oneMinusBeta1(), given.beta2(), given.oneMinusBeta2(), given.eps(), 1f, false);
        if (step != steps + 1) {
            throw new IllegalStateException(name + ": step " + step + " after step " + steps);
        }
        for (int s = 0; s < slots; s++) {
            int row = slotRows[s];
            if (!active[row]) {
                sync(row);
                activate(row);
            }
        }
        FloatBuffer p = direct(weight);
        FloatBuffer zeros = FloatBuffer.allocate(width);
        FloatBuffer g = FloatBuffer.wrap(grad);
        for (int a = 0; a < activeCount; a++) {
            int row = activeList[a];
            int off = row * width;
            FloatBuffer gRow = slot[row] >= 0 ? g.slice(slot[row] * width, width) : zeros;
            fused.step(p.slice(off, width), gRow, m.slice(off, width), v.slice(off, width), decay, scalars);
            decayedThrough[row] = step;
        }
        if (step == factors.length) {
            factors = Arrays.copyOf(factors, factors.length * 2);
        }
        factors[step] = decay ? given.decayFactor() : 1f;
        steps = step;
    }

    private void activate(int row) {
        active[row] = true;
        if (activeCount == activeList.length) {
            activeList = Arrays.copyOf(activeList, activeCount * 2);
        }
        activeList[activeCount++] = row;
    }

    /** Applies the row's deferred decays, one multiplication per step in step order. */
    private void sync(int row) {
        int from = decayedThrough[row];
        if (from == steps) {
            return;
        }
        if (decay) {
            FloatBuffer p = direct(weight);
            p.get(row * width, rowScratch, 0, width);
            applyFactors(rowScratch, from + 1, steps);
            p.put(row * width, rowScratch, 0, width);
        }
        decayedThrough[row] = steps;
    }

    private void applyFactors(float[] values, int fromStep, int toStep) {
        for (int k = fromStep; k <= toStep; k++) {
            float f = factors[k];
            for (int j = 0; j < values.length; j++) {
                values[j] = values[j] * f;
            }
        }
    }

    /** Brings every row up to date (before the weights are read whole: evaluation, saving). */
    void syncAll() {
        for (int row = 0; row < rows; row++) {
            sync(row);
        }
    }

    /**
     * After the moments were restored from a checkpoint at {@code step} (whose weights were saved in sync):
     * rows with non-zero moments are active. A used row whose moments are all zero behaves as an unused one
     * under AdamW (its update is its decay), so either choice gives the same weights.
     */
    void restore(int step, FloatBuffer m, FloatBuffer v) {
        Arrays.fill(active, false);
        activeCount = 0;
        for (int row = 0; row < rows; row++) {
            int off = row * width;
            for (int j = 0; j < width; j++) {
                if (m.get(off + j) != 0f || v.get(off + j) != 0f) {
                    activate(row);
                    break;
                }
            }
        }
        Arrays.fill(decayedThrough, step);
        if (step >= factors.length) {
            factors = Arrays.copyOf(factors, Math.max(factors.length * 2, step + 1));
        }
        steps = step;
        clearGradient();
    }

    /** Rows any step has used. */
    int activeRows() {
        return activeCount;
    }

    static FloatBuffer direct(NDArray a) {
        return ((PtNDArray) a).toByteBuffer(true).asFloatBuffer();
    }
}
