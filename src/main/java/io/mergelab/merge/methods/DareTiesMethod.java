package io.mergelab.merge.methods;

/** DARE-TIES (Yu et al., 2023): random drop with L1 rescale, then TIES sign election. */
public final class DareTiesMethod extends TaskVectorMerge {
    public DareTiesMethod() {
        super(Spec.plain().electingSigns().sparsifiedBy(Sparsifier.RANDOM).rescaledByDefault());
    }

    @Override
    public String name() {
        return "dare_ties";
    }

    @Override
    public String description() {
        return "DARE-TIES (Yu et al., 2023): random drop with L1 rescale, then TIES sign election.";
    }
}
