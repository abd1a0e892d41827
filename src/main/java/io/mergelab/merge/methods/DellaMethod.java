package io.mergelab.merge.methods;

/** DELLA (Deep et al., 2024): magnitude-ranked random pruning with L1 rescale, then TIES sign election. */
public final class DellaMethod extends TaskVectorMerge {
    public DellaMethod() {
        super(Spec.plain().electingSigns().sparsifiedBy(Sparsifier.DELLA_MAGPRUNE).normalizedByDefault()
                .rescaledByDefault());
    }

    @Override
    public String name() {
        return "della";
    }

    @Override
    public String description() {
        return "DELLA (Deep et al., 2024): magnitude-ranked random pruning with L1 rescale, then TIES sign election.";
    }
}
