package io.mergelab.pipeline;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A study's steps in dependency order (every step after its dependencies); ids are unique. */
public final class Plan {
    private final String study;
    private final Map<String, Step> steps;

    public Plan(String study, List<Step> ordered) {
        this.study = study;
        Map<String, Step> m = new LinkedHashMap<>();
        for (Step s : ordered) {
            for (String d : s.deps()) {
                if (!m.containsKey(d)) {
                    throw new IllegalArgumentException("step " + s.label() + " depends on " + d
                            + ", which is not before it in the plan");
                }
            }
            // Same content under two names (a shared fine-tune, a sweep point equal to an explicit merge):
            // one step does it for both.
            m.putIfAbsent(s.id(), s);
        }
        this.steps = m;
    }

    public String study() {
        return study;
    }

    public List<Step> steps() {
        return List.copyOf(steps.values());
    }

    public Step step(String id) {
        Step s = steps.get(id);
        if (s == null) {
            throw new IllegalArgumentException("no step " + id + " in the plan of " + study);
        }
        return s;
    }

    public boolean contains(String id) {
        return steps.containsKey(id);
    }

    /** Steps that (transitively) depend on {@code id}. */
    public Set<String> dependentsOf(String id) {
        Set<String> out = new HashSet<>();
        for (Step s : steps.values()) {
            for (String d : s.deps()) {
                if (d.equals(id) || out.contains(d)) {
                    out.add(s.id());
                    break;
                }
            }
        }
        return out;
    }

    /** The plan cut down to {@code id} and everything it needs. */
    public Plan upTo(String id) {
        Set<String> needed = new HashSet<>();
        List<String> todo = new ArrayList<>(List.of(step(id).id()));
        while (!todo.isEmpty()) {
            String s = todo.remove(todo.size() - 1);
            if (needed.add(s)) {
                todo.addAll(steps.get(s).deps());
            }
        }
        return new Plan(study, steps.values().stream().filter(s -> needed.contains(s.id())).toList());
    }
}
