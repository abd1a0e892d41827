package io.mergelab.pipeline;

import java.util.List;
import java.util.Map;

/**
 * One node of a study's DAG. {@code id} is {@code kind-hash} where the hash covers the kind, the {@code inputs},
 * the ids of the dependencies and the planner version, so a change anywhere upstream gives a new id (and a rerun).
 *
 * @param label  how people call it ("finetune drug_0", "evaluate ties on drugs/test")
 * @param inputs what the id hashes: the action record's fields but those marked {@link NotInStepId}, as
 *               {@link Canonical#identity} writes them (recorded in {@code _step.json}, shown by {@code --dry-run})
 * @param meta   descriptive facts the report reads (model, dataset, split, merge parameters); not hashed
 */
public record Step(String id, String kind, String label, Map<String, Object> inputs, List<String> deps,
                   Map<String, Object> meta, StepAction action) {
    public Step {
        inputs = Canonical.freeze(inputs);
        deps = List.copyOf(deps);
        meta = Canonical.freeze(meta);
    }

    /** A step whose action is a record: the record is its identity (see {@link NotInStepId}). */
    public static Step of(String kind, String label, List<Step> deps, Map<String, Object> meta, StepAction action) {
        if (!(action instanceof Record)) {
            throw new IllegalArgumentException(kind + " step '" + label + "': its action must be a record, whose "
                    + "fields are the step's identity");
        }
        return keyed(kind, label, action, deps, meta, action);
    }

    /** A step identified by {@code identity} (a record or a map) rather than by its action: tests, ad-hoc steps. */
    static Step keyed(String kind, String label, Object identity, List<Step> deps, Map<String, Object> meta,
                      StepAction action) {
        List<String> depIds = deps.stream().map(Step::id).distinct().toList();
        Map<String, Object> inputs = Canonical.identityMap(identity);
        return new Step(kind + "-" + Canonical.hash(kind, inputs, depIds), kind, label, inputs, depIds, meta, action);
    }
}
