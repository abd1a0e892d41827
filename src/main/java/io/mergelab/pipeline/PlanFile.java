package io.mergelab.pipeline;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code outputs/<study>/plan.json}: the steps of the latest run, so the report can be rebuilt from disk alone, and
 * the planner version that made their ids.
 */
public final class PlanFile {
    static final String VERSION = "planner_version";

    private PlanFile() {
    }

    /** Writes the plan; refuses a folder another planner version planned ({@link #checkVersion}). */
    public static void write(Plan plan, StepStore store) throws IOException {
        checkVersion(store.root());
        List<Map<String, Object>> steps = new ArrayList<>();
        for (Step s : plan.steps()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", s.id());
            m.put("kind", s.kind());
            m.put("label", s.label());
            m.put("deps", s.deps());
            m.put("meta", s.meta());
            steps.add(m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("study", plan.study());
        root.put(VERSION, StudyPlanner.VERSION);
        root.put("steps", steps);
        StepStore.writeAtomically(store.root().resolve(StepStore.PLAN), Canonical.json().writeValueAsString(root));
    }

    /** The recorded steps: id, kind, label, deps and meta of each. */
    public static JsonNode read(Path studyDir) throws IOException {
        Path f = studyDir.resolve(StepStore.PLAN);
        if (!Files.isRegularFile(f)) {
            throw new java.nio.file.NoSuchFileException(f + " (not a study output folder: run the study first)");
        }
        return Canonical.json().readTree(f.toFile());
    }

    /**
     * Fails, in one line saying what to do, when another planner version planned {@code studyDir}: none of its
     * steps has an id this version computes, so a run there would redo everything beside folders nothing reads
     * any more, and {@code report/} would show the old results until the new report step replaced it.
     */
    public static void checkVersion(Path studyDir) throws IOException {
        String problem = versionProblem(studyDir);
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
    }

    /** Why {@link #checkVersion} fails, or null when the folder is new or this version planned it. */
    public static String versionProblem(Path studyDir) throws IOException {
        Path f = studyDir.resolve(StepStore.PLAN);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        int planned = Canonical.json().readTree(f.toFile()).path(VERSION).asInt(1); // unrecorded before version 2
        if (planned == StudyPlanner.VERSION) {
            return null;
        }
        long done;
        try (var dirs = Files.list(studyDir)) {
            done = dirs.filter(d -> Files.isRegularFile(d.resolve(StepStore.DONE))).count();
        }
        return studyDir + " was planned by " + (planned < StudyPlanner.VERSION ? "an older" : "a newer")
                + " mergelab (planner version " + planned + ", this one plans version " + StudyPlanner.VERSION
                + " with other step ids), so none of its " + done + " finished steps would be reused: move the "
                + "folder away to keep its results, or delete it, then run again";
    }
}
