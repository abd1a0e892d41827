package io.mergelab.merge.methods;

/** DARE (Yu et al., 2023): random drop with L1 rescale, then task arithmetic. */
public final class DareLinearMethod extends TaskVectorMerge {
    public DareLinearMethod() {
        super(false, Sparsifier.RANDOM, false, true);
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
