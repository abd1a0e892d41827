package io.mergelab.merge.methods;

/** Linear DELLA (Deep et al., 2024): DELLA's magnitude-ranked pruning, then task arithmetic without sign election. */
public final class DellaLinearMethod extends TaskVectorMerge {
    public DellaLinearMethod() {
        super(Spec.plain().sparsifiedBy(Sparsifier.DELLA_MAGPRUNE).rescaledByDefault());
    }

    @Override
    public String name() {
        return "della_linear";
    }

    @Override
    public String description() {
        return "Linear DELLA (Deep et al., 2024): magnitude-ranked random pruning with L1 rescale, then task arithmetic.";
    }
}
