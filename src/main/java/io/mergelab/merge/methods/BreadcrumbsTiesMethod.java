package io.mergelab.merge.methods;

/** Model Breadcrumbs with TIES sign election. */
public final class BreadcrumbsTiesMethod extends TaskVectorMerge {
    public BreadcrumbsTiesMethod() {
        super(Spec.plain().electingSigns().sparsifiedBy(Sparsifier.MAGNITUDE_OUTLIERS));
    }

    @Override
    public String name() {
        return "breadcrumbs_ties";
    }

    @Override
    public String displayName() {
        return "Breadcrumbs-TIES";
    }

    @Override
    public String description() {
        return "Model Breadcrumbs with TIES sign election.";
    }
}
