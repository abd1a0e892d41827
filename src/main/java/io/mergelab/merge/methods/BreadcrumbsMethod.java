package io.mergelab.merge.methods;

/** Model Breadcrumbs (Davari and Belilovsky, 2023): drop outliers and small magnitudes, then task arithmetic. */
public final class BreadcrumbsMethod extends TaskVectorMerge {
    public BreadcrumbsMethod() {
        super(Spec.plain().sparsifiedBy(Sparsifier.MAGNITUDE_OUTLIERS));
    }

    @Override
    public String name() {
        return "breadcrumbs";
    }

    @Override
    public String description() {
        return "Model Breadcrumbs (Davari and Belilovsky, 2023): drop outliers and small magnitudes, then task arithmetic.";
    }
}
