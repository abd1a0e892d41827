package io.mergelab.pipeline;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code outputs/<study>/plan.json}: the steps of the latest run, so the report can be rebuilt from disk alone. */
public final class PlanFile {
    private PlanFile() {
    }

    public static void write(Plan plan, StepStore store) throws IOException {
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
}
