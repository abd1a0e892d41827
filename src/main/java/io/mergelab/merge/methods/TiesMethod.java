package io.mergelab.merge.methods;

/** TIES (Yadav et al., 2023): trim to top-density magnitudes, elect signs, disjoint merge. */
public final class TiesMethod extends TaskVectorMerge {
    public TiesMethod() {
        super(Spec.plain().electingSigns().sparsifiedBy(Sparsifier.MAGNITUDE).normalizedByDefault());
    }

    @Override
    public String name() {
        return "ties";
    }

    @Override
    public String description() {
        return "TIES (Yadav et al., 2023): trim to top-density magnitudes, elect signs, disjoint merge.";
    }
}
