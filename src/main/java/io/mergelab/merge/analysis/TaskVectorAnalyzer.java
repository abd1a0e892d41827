package io.mergelab.merge.analysis;

import io.mergelab.merge.MergePlanner;
import io.mergelab.merge.ModelInput;
import io.mergelab.merge.TensorReader;
import io.mergelab.merge.methods.Sparsifiers;
import io.mergelab.model.checkpoint.CheckpointFormatException;
import io.mergelab.model.checkpoint.Gpt2TensorNames;
import io.mergelab.model.checkpoint.TensorInfo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Streams the task vectors τ_k = variant_k − base tensor by tensor and accumulates {@link TaskVectorAnalysis}.
 *
 * <p>Memory: one tensor at a time — the base's copy and one per variant (turned into τ in place), the base's array
 * then reused as the scratch copy that trimming and DARE work on, plus one bit per coordinate per variant and TIES
 * density for the trimmed signs: for base + 2 variants of GPT-2 124M that is 3 × wte (154 MB in F32), the bound
 * the merge engine is measured against (BENCHMARKS.md: "3 inputs × 154 MB plus ~150 MB of JVM").
 *
 * <p>Trimming and dropping are the engine's own ({@link Sparsifiers}), so "at density d" means what {@code ties}
 * and {@code dare_linear} do. Deterministic: the same inputs and settings give the same result, bit for bit.
 */
public final class TaskVectorAnalyzer {
    static final String EMBEDDINGS = "embeddings";
    static final String LN_F = "ln_f";

    private final AnalysisSettings settings;

    public TaskVectorAnalyzer(AnalysisSettings settings) {
        this.settings = settings;
    }

    /** Told of progress over the analysed tensors. */
    public interface Listener {
        default void started(int tensors) {
        }

        default void tensorDone(String tensor) {
        }
    }

    /** A tensor to analyse: its canonical name, group and the stored entry in the base and each variant. */
    private record Planned(String canonical, String group, TensorInfo base, List<TensorInfo> variants) {
    }

    public TaskVectorAnalysis analyze(ModelInput base, List<ModelInput> variants) {
        return analyze(base, variants, new Listener() { });
    }

    /**
     * @throws IllegalArgumentException fewer than 2 variants
     * @throws CheckpointFormatException a variant stores an analysed tensor with another shape than the base (names
     *                                   the variant's file and the tensor); checked for every tensor before any is read
     */
    public TaskVectorAnalysis analyze(ModelInput base, List<ModelInput> variants, Listener listener) {
        if (variants.size() < 2) {
            throw new IllegalArgumentException("task-vector analysis needs at least 2 variants besides the base, got "
                    + variants.size() + (variants.isEmpty() ? "" : " (" + variants.get(0).ref() + ")"));
        }
        List<ExcludedTensor> excluded = new ArrayList<>();
        List<Planned> plan = plan(base, variants, excluded);
        List<Double> trimLevels = new ArrayList<>();
        trimLevels.add(1.0);
        trimLevels.addAll(settings.tiesDensities());
        Map<String, ScopeSums> groups = new LinkedHashMap<>();
        for (Planned p : plan) {
            groups.computeIfAbsent(p.group(), g -> newSums(variants.size(), trimLevels.size()));
        }
        listener.started(plan.size());
        int n = variants.size();
        for (Planned p : plan) {
            float[] scratch = TensorReader.read(base, p.base());
            float[][] tau = new float[n][];
            for (int k = 0; k < n; k++) {
                float[] x = TensorReader.read(variants.get(k), p.variants().get(k));
                for (int i = 0; i < x.length; i++) {
                    x[i] -= scratch[i];
                }
                tau[k] = x;
            }
            accumulate(p.base().name(), tau, scratch, groups.get(p.group()));
            listener.tensorDone(p.canonical());
        }
        ScopeSums whole = newSums(n, trimLevels.size());
        List<Measures> perGroup = new ArrayList<>();
        for (Map.Entry<String, ScopeSums> g : groups.entrySet()) {
            whole.add(g.getValue());
            perGroup.add(g.getValue().measures(g.getKey(), trimLevels));
        }
        return new TaskVectorAnalysis(TaskVectorAnalysis.SCHEMA_VERSION, base.ref(),
                variants.stream().map(ModelInput::ref).toList(), settings, whole.measures(Measures.MODEL, trimLevels),
                perGroup, excluded, TaskVectorAnalysis.DEFINITIONS);
    }

    private ScopeSums newSums(int n, int trimLevels) {
        return new ScopeSums(n, trimLevels, settings.topKFractions().size(), settings.dareDensities().size());
    }

    /** Picks the tensors (base order, grouped embeddings, h.0 …, ln_f), lists the rest, checks every shape. */
    private static List<Planned> plan(ModelInput base, List<ModelInput> variants, List<ExcludedTensor> excluded) {
        Map<String, Planned> byName = new LinkedHashMap<>();
        for (TensorInfo t : base.dir().tensors()) {
            String c = Gpt2TensorNames.canonical(t.name());
            Optional<String> why = notAnalysed(c);
            if (why.isPresent()) {
                excluded.add(new ExcludedTensor(c, why.get()));
                continue;
            }
            List<TensorInfo> vs = new ArrayList<>();
            List<String> missing = new ArrayList<>();
            for (ModelInput v : variants) {
                Optional<TensorInfo> vt = v.dir().tensorByCanonicalName(c);
                if (vt.isEmpty()) {
                    missing.add(v.ref());
                    continue;
                }
                if (!Arrays.equals(vt.get().shape(), t.shape())) {
                    throw new CheckpointFormatException(vt.get().file(), vt.get().name(), "shape "
                            + vt.get().shapeString() + " differs from the base's " + t.shapeString() + " ("
                            + t.file() + "); task vectors need equal shapes");
                }
                vs.add(vt.get());
            }
            if (!missing.isEmpty()) {
                excluded.add(new ExcludedTensor(c, "missing from variant " + String.join(", ", missing)));
                continue;
            }
            byName.put(c, new Planned(c, group(c), t, vs));
        }
        TreeMap<String, TreeSet<String>> onlyInVariants = new TreeMap<>();
        for (ModelInput v : variants) {
            for (TensorInfo t : v.dir().tensors()) {
                String c = Gpt2TensorNames.canonical(t.name());
                if (base.dir().tensorByCanonicalName(c).isEmpty()) {
                    onlyInVariants.computeIfAbsent(c, k -> new TreeSet<>()).add(v.ref());
                }
            }
        }
        onlyInVariants.forEach((c, refs) -> excluded.add(new ExcludedTensor(c, notAnalysed(c)
                .map(why -> why + "; ").orElse("") + "not in the base (in " + String.join(", ", refs) + ")")));
        // group order: embeddings, h.0, h.1, ... (numerically), ln_f; base order within a group
        List<Planned> out = new ArrayList<>(byName.values());
        out.sort((a, b) -> Integer.compare(groupRank(a.group()), groupRank(b.group())));
        return out;
    }

    private static Optional<String> notAnalysed(String canonical) {
        if (canonical.equals(Gpt2TensorNames.SCORE)) {
            return Optional.of("classification head (its rows are label-specific, not a task vector)");
        }
        if (canonical.equals(Gpt2TensorNames.LM_HEAD)) {
            return Optional.of("language-model head (tied to wte in GPT-2)");
        }
        if (Gpt2TensorNames.isBuffer(canonical)) {
            return Optional.of("attention-mask buffer, not a weight");
        }
        if (!Gpt2TensorNames.isBackbone(canonical)) {
            return Optional.of("not a GPT-2 backbone tensor");
        }
        return Optional.empty();
    }

    /** {@code embeddings} (wte, wpe), {@code h.N}, {@code ln_f}. */
    static String group(String canonical) {
        OptionalInt layer = Gpt2TensorNames.layerIndex(canonical);
        if (layer.isPresent()) {
            return "h." + layer.getAsInt();
        }
        return canonical.startsWith("ln_f.") ? LN_F : EMBEDDINGS;
    }

    private static int groupRank(String group) {
        if (group.equals(EMBEDDINGS)) {
            return -1;
        }
        if (group.equals(LN_F)) {
            return Integer.MAX_VALUE;
        }
        return Integer.parseInt(group.substring(2));
    }

    /** Adds one tensor's τ (arrays overwritten as scratch only where said) to {@code s}. */
    private void accumulate(String storedName, float[][] tau, float[] scratch, ScopeSums s) {
        int n = tau.length;
        int len = scratch.length;
        s.tensors++;
        s.coordinates += len;
        for (int a = 0; a < n; a++) {
            float[] x = tau[a];
            double l1 = 0;
            for (float v : x) {
                l1 += Math.abs(v);
            }
            s.l1[a] += l1;
            for (int b = a; b < n; b++) {
                float[] y = tau[b];
                double dot = 0;
                long conflicts = 0;
                for (int i = 0; i < len; i++) {
                    dot += (double) x[i] * y[i];
                    // signs, not the product: a float product of two tiny deltas can underflow to 0
                    conflicts += (x[i] > 0 && y[i] < 0) || (x[i] < 0 && y[i] > 0) ? 1 : 0;
                }
                s.dot[a][b] += dot;
                if (a != b) {
                    s.dot[b][a] += dot;
                    s.pairConflicts[0][a][b] += conflicts;
                }
            }
        }
        s.anyConflicts[0] += anyConflicts(tau, null);

        // trimming: every level (top-k fractions and TIES densities) from the largest down on one copy of τ_k;
        // trimming a top-k' result to k <= k' keeps the same entries as trimming τ_k itself (same threshold, and
        // among equal magnitudes the lowest indices first, which the larger level kept)
        List<Double> ties = settings.tiesDensities();
        List<Double> topK = settings.topKFractions();
        TreeSet<Double> levels = new TreeSet<>(java.util.Comparator.reverseOrder());
        levels.addAll(ties);
        levels.addAll(topK);
        long[][][] kept = new long[ties.size()][n][];
        for (int k = 0; k < n; k++) {
            System.arraycopy(tau[k], 0, scratch, 0, len);
            for (double level : levels) {
                float[] trimmed = Sparsifiers.trim(scratch, level, true);
                int j = topK.indexOf(level);
                if (j >= 0) {
                    double m1 = 0;
                    double m2 = 0;
                    for (float v : trimmed) {
                        m1 += Math.abs(v);
                        m2 += (double) v * v;
                    }
                    s.topL1[k][j] += m1;
                    s.topL2[k][j] += m2;
                }
                int t = ties.indexOf(level);
                if (t >= 0) {
                    kept[t][k] = nonZero(trimmed);
                }
            }
        }
        for (int t = 0; t < ties.size(); t++) {
            long[][] mask = kept[t];
            s.anyConflicts[t + 1] += anyConflicts(tau, mask);
            for (int a = 0; a < n; a++) {
                for (int b = a + 1; b < n; b++) {
                    s.pairConflicts[t + 1][a][b] += pairConflicts(tau[a], mask[a], tau[b], mask[b]);
                }
            }
        }

        // DARE: per density a fresh per-tensor stream, split once per variant in order, as dare_linear draws
        List<Double> dare = settings.dareDensities();
        for (int p = 0; p < dare.size(); p++) {
            SplittableRandom rng = new SplittableRandom(MergePlanner.tensorSeed(settings.seed(), storedName));
            for (int k = 0; k < n; k++) {
                SplittableRandom modelRng = rng.split();
                System.arraycopy(tau[k], 0, scratch, 0, len);
                float[] dropped = Sparsifiers.dropAndRescale(scratch, dare.get(p), true, modelRng);
                double sq = 0;
                for (float v : dropped) {
                    sq += (double) v * v;
                }
                s.dareSq[k][p] += sq;
            }
        }
    }

    private static long[] nonZero(float[] x) {
        long[] bits = new long[(x.length + 63) >>> 6];
        for (int i = 0; i < x.length; i++) {
            if (x[i] != 0f) {
                bits[i >>> 6] |= 1L << i;
            }
        }
        return bits;
    }

    private static boolean kept(long[] mask, int i) {
        return mask == null || (mask[i >>> 6] & (1L << i)) != 0;
    }

    /** Coordinates where some kept τ > 0 and some kept τ < 0 ({@code masks} null: all kept). */
    private static long anyConflicts(float[][] tau, long[][] masks) {
        long count = 0;
        int len = tau[0].length;
        for (int i = 0; i < len; i++) {
            boolean pos = false;
            boolean neg = false;
            for (int k = 0; k < tau.length; k++) {
                float v = tau[k][i];
                if (v != 0f && kept(masks == null ? null : masks[k], i)) {
                    pos |= v > 0;
                    neg |= v < 0;
                }
            }
            count += pos && neg ? 1 : 0;
        }
        return count;
    }

    private static long pairConflicts(float[] x, long[] mx, float[] y, long[] my) {
        long count = 0;
        for (int i = 0; i < x.length; i++) {
            if ((x[i] > 0 && y[i] < 0) || (x[i] < 0 && y[i] > 0)) {
                count += kept(mx, i) && kept(my, i) ? 1 : 0;
            }
        }
        return count;
    }
}
