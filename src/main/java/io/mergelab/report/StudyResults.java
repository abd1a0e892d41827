package io.mergelab.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Everything a report shows, read from a study folder: {@code plan.json} names the steps, each finished
 * evaluation step holds a {@code result.json}, each data step a {@code stats.json}.
 *
 * @param records results in plan order (variants, merges, baselines)
 * @param stats   per dataset (first seed) the statistics JSON of its data step
 * @param analyses the folders of the finished task-vector analyses (one per seed), in plan order
 * @param root     the study folder (each record's step folder is {@code root/<step id>})
 */
public record StudyResults(String study, List<EvalRecord> records, List<String> stepIds, List<JsonNode> stats,
                           List<Path> analyses, Path root) {
    static final List<String> RESULT_KINDS = List.of("evaluate", "ensemble", "stacker");
    private static final ObjectMapper JSON = new ObjectMapper();

    public StudyResults {
        records = List.copyOf(records);
        stepIds = List.copyOf(stepIds);
        stats = List.copyOf(stats);
        analyses = List.copyOf(analyses);
    }

    /** Reads the finished results of {@code only} (step ids; null: every result step in plan.json). */
    public static StudyResults load(Path studyDir, Collection<String> only) throws IOException {
        Path planFile = studyDir.resolve("plan.json");
        if (!Files.isRegularFile(planFile)) {
            throw new NoSuchFileException(planFile + " (not a study output folder: run the study first)");
        }
        JsonNode plan = JSON.readTree(planFile.toFile());
        List<EvalRecord> records = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<JsonNode> stats = new ArrayList<>();
        List<String> statsSeen = new ArrayList<>();
        List<Path> analyses = new ArrayList<>();
        for (JsonNode s : plan.path("steps")) {
            String id = s.path("id").asText();
            String kind = s.path("kind").asText();
            Path dir = studyDir.resolve(id);
            if (!Files.isRegularFile(dir.resolve("_done.json"))) {
                continue;
            }
            if (RESULT_KINDS.contains(kind) && (only == null || only.contains(id))) {
                records.add(EvalRecord.read(dir.resolve(EvalRecord.FILE)));
                ids.add(id);
            } else if (kind.equals("analyze") && (only == null || only.contains(id))) {
                analyses.add(dir);
            } else if (kind.equals("data") && Files.isRegularFile(dir.resolve("stats.json"))) {
                String ds = s.path("meta").path("dataset").asText();
                if (!statsSeen.contains(ds)) {
                    statsSeen.add(ds);
                    stats.add(JSON.readTree(dir.resolve("stats.json").toFile()));
                }
            }
        }
        return new StudyResults(plan.path("study").asText(), records, ids, stats, analyses, studyDir);
    }

    /** The folder of the step that wrote {@code r}. */
    public Path stepDir(EvalRecord r) {
        return root.resolve(stepIds.get(records.indexOf(r)));
    }

    public List<String> datasets() {
        return records.stream().map(EvalRecord::dataset).distinct().toList();
    }

    public List<String> models() {
        return records.stream().map(EvalRecord::model).distinct().toList();
    }
}
