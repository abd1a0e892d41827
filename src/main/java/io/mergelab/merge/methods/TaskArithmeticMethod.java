package io.mergelab.merge.methods;

/** Task arithmetic (Ilharco et al., 2023): base + lambda * sum of weighted task vectors. */
public final class TaskArithmeticMethod extends TaskVectorMerge {
    public TaskArithmeticMethod() {
        super(Spec.plain());
    }

    @Override
    public String name() {
        return "task_arithmetic";
    }

    @Override
    public String description() {
        return "Task arithmetic (Ilharco et al., 2023): base + lambda * sum of weighted task vectors.";
    }
}
