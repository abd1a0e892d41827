package io.mergelab.slurm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a DAG of steps into stages (job arrays) chained by afterok: steps of one kind form one stage,
 * unless a step needs another step of its own kind, which then pushes it into a later stage
 * ({@code merge}, {@code merge-2}, …). A stage waits only for the parent tasks its steps use
 * ({@link SlurmStage#afterTasks}; one array has one dependency, so it is their union). Dependencies on steps not
 * in the list (already done) are satisfied. Stages come out parents-first.
 */
public final class StageGrouping {
    private StageGrouping() {}

    /** Stages in submission order, and per stage the step ids of its tasks (task i runs stepIds.get(stage).get(i)). */
    public record Grouped(List<SlurmStage> stages, Map<String, List<String>> stepIds) {}

    /** @param steps parents before children (a plan's order) */
    public static List<SlurmStage> group(List<StepRef> steps) {
        return grouped(steps).stages();
    }

    /** As {@link #group}, also saying which step each array task runs. */
    public static Grouped grouped(List<StepRef> steps) {
        Map<String, StepRef> byId = new LinkedHashMap<>();
        steps.forEach(s -> byId.put(s.id(), s));
        Map<String, Integer> generation = new HashMap<>();
        Map<String, List<StepRef>> members = new LinkedHashMap<>();
        Map<String, Set<String>> after = new LinkedHashMap<>();
        Map<String, String> stageOf = new HashMap<>();
        for (StepRef s : steps) {
            int gen = 0;
            for (String d : s.deps()) {
                StepRef dep = byId.get(d);
                if (dep != null && dep.kind().equals(s.kind())) {
                    Integer g = generation.get(d);
                    if (g == null) {
                        throw new IllegalArgumentException("step " + s.id() + " is listed before its dependency " + d);
                    }
                    gen = Math.max(gen, g + 1);
                }
            }
            generation.put(s.id(), gen);
            String stage = gen == 0 ? s.kind() : s.kind() + "-" + (gen + 1);
            stageOf.put(s.id(), stage);
            members.computeIfAbsent(stage, k -> new ArrayList<>()).add(s);
            Set<String> parents = after.computeIfAbsent(stage, k -> new LinkedHashSet<>());
            for (String d : s.deps()) {
                if (byId.containsKey(d)) {
                    String p = stageOf.get(d);
                    if (p == null) {
                        throw new IllegalArgumentException("step " + s.id() + " is listed before its dependency " + d);
                    }
                    if (!p.equals(stage)) {
                        parents.add(p);
                    }
                }
            }
        }
        // parents-first order of stages (a stage can be first seen before one of its parents)
        List<String> order = new ArrayList<>();
        Set<String> visiting = new LinkedHashSet<>();
        for (String stage : members.keySet()) {
            visit(stage, after, order, visiting);
        }
        // per stage and parent stage, the parent's task indices its tasks use; all of them → the whole array
        Map<String, Integer> indexOf = new HashMap<>();
        members.values().forEach(list -> {
            for (int i = 0; i < list.size(); i++) {
                indexOf.put(list.get(i).id(), i);
            }
        });
        Map<String, Map<String, java.util.SortedSet<Integer>>> used = new HashMap<>();
        for (StepRef s : steps) {
            for (String d : s.deps()) {
                String p = stageOf.get(d);
                if (byId.containsKey(d) && !p.equals(stageOf.get(s.id()))) {
                    used.computeIfAbsent(stageOf.get(s.id()), k -> new LinkedHashMap<>())
                            .computeIfAbsent(p, k -> new java.util.TreeSet<>()).add(indexOf.get(d));
                }
            }
        }
        List<SlurmStage> out = new ArrayList<>();
        Map<String, List<String>> ids = new LinkedHashMap<>();
        for (String stage : order) {
            List<StageTask> tasks = members.get(stage).stream()
                    .map(s -> new StageTask(s.recordDir(), s.commands())).toList();
            Map<String, List<Integer>> afterTasks = new LinkedHashMap<>();
            used.getOrDefault(stage, Map.of()).forEach((parent, indices) -> {
                if (indices.size() < members.get(parent).size()) {
                    afterTasks.put(parent, List.copyOf(indices));
                }
            });
            out.add(new SlurmStage(stage, tasks, List.copyOf(after.get(stage)), afterTasks));
            ids.put(stage, members.get(stage).stream().map(StepRef::id).toList());
        }
        return new Grouped(List.copyOf(out), java.util.Collections.unmodifiableMap(ids));
    }

    private static void visit(String stage, Map<String, Set<String>> after, List<String> order, Set<String> visiting) {
        if (order.contains(stage)) {
            return;
        }
        if (!visiting.add(stage)) {
            throw new IllegalArgumentException("stages " + visiting + " depend on each other in a cycle; "
                    + "these steps cannot be grouped into job arrays by kind");
        }
        for (String p : after.get(stage)) {
            visit(p, after, order, visiting);
        }
        visiting.remove(stage);
        order.add(stage);
    }
}
