package io.mergelab.pipeline;

import java.util.List;
import java.util.Map;

/**
 * What a run did. {@code failures} maps a failed step id to its one-line error; {@code blocked} maps a step
 * that did not run to the failed step it waited for.
 */
public record RunSummary(List<String> skipped, List<String> ran, Map<String, String> failures,
                         Map<String, String> blocked) {
    public RunSummary {
        skipped = List.copyOf(skipped);
        ran = List.copyOf(ran);
        failures = Map.copyOf(failures);
        blocked = Map.copyOf(blocked);
    }

    public boolean ok() {
        return failures.isEmpty() && blocked.isEmpty();
    }
}
