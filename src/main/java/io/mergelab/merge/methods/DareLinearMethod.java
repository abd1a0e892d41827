package io.mergelab.merge.methods;

/** DARE (Yu et al., 2023): random drop with L1 rescale, then task arithmetic. */
public final class DareLinearMethod extends TaskVectorMerge {
    public DareLinearMethod() {
        super(Spec.plain().sparsifiedBy(Sparsifier.RANDOM).rescaledByDefault());
    }

    @Override
    public String name() {
        return "dare_linear";
    }

    @Override
    public String description() {
        return "DARE (Yu et al., 2023): random drop with L1 rescale, then task arithmetic.";
    }
}
