package io.mergelab.pipeline;

import java.util.List;
import java.util.Map;

/**
 * One node of a study's DAG. {@code id} is {@code kind-hash} where the hash covers the kind, the resolved
 * {@code inputs} and the ids of the dependencies, so a change anywhere upstream gives a new id (and a rerun).
 *
 * @param label  how people call it ("finetune drug_0", "evaluate ties on drugs/test")
 * @param meta   descriptive facts the report reads (model, dataset, split, merge parameters); not hashed
 */
public record Step(String id, String kind, String label, Map<String, Object> inputs, List<String> deps,
                   Map<String, Object> meta, StepAction action) {
    public Step {
        inputs = Canonical.freeze(inputs);
        deps = List.copyOf(deps);
        meta = Canonical.freeze(meta);
    }

    public static Step of(String kind, String label, Map<String, Object> inputs, List<Step> deps,
                          Map<String, Object> meta, StepAction action) {
        List<String> depIds = deps.stream().map(Step::id).distinct().toList();
        String id = kind + "-" + Canonical.hash(kind, inputs, depIds);
        return new Step(id, kind, label, inputs, depIds, meta, action);
    }
}
