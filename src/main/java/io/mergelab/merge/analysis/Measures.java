package io.mergelab.merge.analysis;

import java.util.List;

/**
 * Every measure over one scope: the whole model ({@code "model"}) or one group of tensors ({@code embeddings},
 * {@code h.0} … {@code h.L-1}, {@code ln_f}). Indices follow {@link TaskVectorAnalysis#variants()}; the columns of
 * the profile and DARE follow the settings' lists. A ratio whose denominator is 0 (a zero task vector) is 0.
 *
 * @param scope          "model" or the group's name
 * @param tensors        tensors in the scope
 * @param coordinates    their elements (the denominator of every sign-conflict fraction)
 * @param l2Norm         ‖τ_k‖₂
 * @param l1Norm         ‖τ_k‖₁
 * @param cosine         [i][j] = ⟨τ_i, τ_j⟩ / (‖τ_i‖₂ ‖τ_j‖₂); 0 when either norm is 0; the diagonal is 1 (0 for τ = 0)
 * @param signConflicts  untrimmed first (trimDensity 1.0), then after TIES trimming at each settings density
 * @param topKL1Mass     [k][j]: Σ_tensors Σ_{top-k_j entries} |τ| / ‖τ_k‖₁
 * @param topKL2Mass     [k][j]: Σ_tensors Σ_{top-k_j entries} τ² / ‖τ_k‖₂²
 * @param dareNormRatio  [k][j]: ‖DARE_{p_j}(τ_k)‖₂ / ‖τ_k‖₂ (drop, then the engine's L1 rescale, per tensor)
 */
public record Measures(String scope, int tensors, long coordinates, List<Double> l2Norm, List<Double> l1Norm,
        List<List<Double>> cosine, List<SignConflicts> signConflicts, List<List<Double>> topKL1Mass,
        List<List<Double>> topKL2Mass, List<List<Double>> dareNormRatio) {
    public static final String MODEL = "model";

    public Measures {
        l2Norm = List.copyOf(l2Norm);
        l1Norm = List.copyOf(l1Norm);
        cosine = copy(cosine);
        signConflicts = List.copyOf(signConflicts);
        topKL1Mass = copy(topKL1Mass);
        topKL2Mass = copy(topKL2Mass);
        dareNormRatio = copy(dareNormRatio);
    }

    public double cosine(int i, int j) {
        return cosine.get(i).get(j);
    }

    /** The conflicts after trimming at {@code density} (1.0: untrimmed). */
    public SignConflicts conflictsAt(double density) {
        return signConflicts.stream().filter(c -> c.trimDensity() == density).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no sign conflicts at trim density " + density
                        + " in scope " + scope));
    }

    static List<List<Double>> copy(List<List<Double>> m) {
        return m.stream().map(List::copyOf).toList();
    }
}
