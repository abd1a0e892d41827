package io.mergelab.train;

import java.util.Map;

/**
 * Where a trainer's history entries go while it runs, as transformers' MLflow callback logs them: each entry's
 * numbers under their history names ({@code loss}, {@code learning_rate}, {@code grad_norm}, {@code epoch},
 * {@code eval_*}, ...), at its global step.
 */
@FunctionalInterface
public interface MetricsSink {
    MetricsSink NONE = (step, values) -> { };

    void log(long step, Map<String, Double> values);
}
