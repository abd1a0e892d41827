package io.mergelab.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The plan as people read it: one line per step with its state, id, label, inputs and dependencies. */
public final class PlanPrinter {
    private PlanPrinter() {
    }

    public static String describe(Plan plan, StepStore store, boolean fullInputs) {
        StringBuilder sb = new StringBuilder();
        List<Step> steps = plan.steps();
        long done = steps.stream().filter(s -> store.isDone(s.id())).count();
        sb.append("study ").append(plan.study()).append(": ").append(steps.size()).append(" steps, ").append(done)
                .append(" done, ").append(steps.size() - done).append(" to run; outputs in ").append(store.root())
                .append('\n');
        String version;
        try {
            version = PlanFile.versionProblem(store.root());
        } catch (java.io.IOException e) {
            version = store.root().resolve(StepStore.PLAN) + " is unreadable: " + e.getMessage();
        }
        if (version != null) {
            sb.append("  note: ").append(version).append('\n');
        }
        int width = steps.stream().mapToInt(s -> s.id().length()).max().orElse(10);
        for (Step s : steps) {
            sb.append(store.isDone(s.id()) ? "  [done] " : "  [todo] ")
                    .append(String.format("%-" + width + "s  ", s.id())).append(s.label()).append('\n');
            sb.append("           inputs: ").append(inputs(s.inputs(), fullInputs)).append('\n');
            if (!s.deps().isEmpty()) {
                sb.append("           after:  ").append(String.join(" ", s.deps())).append('\n');
            }
        }
        return sb.toString();
    }

    private static String inputs(Map<String, Object> in, boolean full) {
        List<String> parts = new ArrayList<>();
        in.forEach((k, v) -> {
            String text = String.valueOf(v);
            if (!full && text.length() > 90) {
                text = text.substring(0, 87) + "...";
            }
            parts.add(k + "=" + text);
        });
        return String.join(", ", parts);
    }
}
