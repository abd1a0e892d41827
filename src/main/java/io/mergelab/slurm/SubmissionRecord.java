package io.mergelab.slurm;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * {@code outputs/<study>/slurm-jobs/submission.properties}: what the Slurm executor submitted last (how to
 * re-plan the study, which array job and task runs each step, and the step labels), so that
 * {@code mergelab status|cancel|retry outputs/<study>} work from another shell, after the submitter died.
 *
 * @param config     the study file (absolute)
 * @param overrides  the {@code --set} values of the run
 * @param outputs    the outputs folder the study lives in
 * @param stageJobs  stage → array job id, in submission order
 * @param tasks      step id → its task
 * @param labels     step id → label ("finetune yelp_0")
 */
public record SubmissionRecord(String study, Path config, List<String> overrides, Path outputs,
        Map<String, String> stageJobs, Map<String, StudySubmission.TaskRef> tasks, Map<String, String> labels) {

    public static final String FILE = "submission.properties";

    public SubmissionRecord {
        overrides = List.copyOf(overrides);
        stageJobs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(stageJobs));
        tasks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tasks));
        labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }

    /** {@code outputs/<study>/slurm-jobs/}: the record, and per step the job's {@code slurm-job.properties}. */
    public static Path jobsDir(Path studyDir) {
        return studyDir.resolve("slurm-jobs");
    }

    public static Path file(Path studyDir) {
        return jobsDir(studyDir).resolve(FILE);
    }

    /**
     * What {@code slurm render} writes beside the scripts: this record with empty job ids, which submit.sh's
     * {@code submitted.txt} fills in.
     */
    public static final String RENDERED = "rendered.properties";

    /** Writes the record of a {@code run --executor slurm} submission atomically (temp file + rename). */
    public void write(Path studyDir) {
        writeTo(file(studyDir));
    }

    /** Writes the record of rendered scripts (job ids empty until submit.sh has run) beside them. */
    public void writeRendered(Path studyDir) {
        writeTo(SbatchRenderer.slurmDir(studyDir).resolve(RENDERED));
    }

    private void writeTo(Path target) {
        Properties p = new Properties();
        p.setProperty("study", study);
        p.setProperty("config", config.toString());
        p.setProperty("outputs", outputs.toString());
        for (int i = 0; i < overrides.size(); i++) {
            p.setProperty(String.format("override.%03d", i), overrides.get(i));
        }
        int i = 0;
        for (Map.Entry<String, String> e : stageJobs.entrySet()) {
            p.setProperty(String.format("stage.%03d", i++), e.getKey() + "=" + e.getValue());
        }
        for (StudySubmission.TaskRef t : tasks.values()) {
            p.setProperty("step." + t.stepId(), t.stage() + "," + t.jobId() + "," + t.index());
            p.setProperty("label." + t.stepId(), labels.getOrDefault(t.stepId(), t.stepId()));
        }
        try {
            Files.createDirectories(target.getParent());
            StringWriter text = new StringWriter();
            p.store(text, "mergelab Slurm submission of study " + study);
            Path tmp = Files.createTempFile(target.getParent(), "." + FILE, ".tmp");
            try {
                Files.writeString(tmp, text.toString());
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(target + ": cannot write the submission record: " + e.getMessage(), e);
        }
    }

    /**
     * The study's latest Slurm submission, however it was made: {@code run --executor slurm} (its record in
     * {@code slurm-jobs/}) or the rendered scripts' {@code submit.sh} (their record with the job ids of
     * {@code slurm/submitted.txt}), whichever is newer.
     */
    public static SubmissionRecord read(Path studyDir) {
        Path executor = file(studyDir);
        Path slurm = SbatchRenderer.slurmDir(studyDir);
        Path submitted = slurm.resolve("submitted.txt");
        Path rendered = slurm.resolve(RENDERED);
        boolean byHand = Files.isRegularFile(submitted) && Files.isRegularFile(rendered);
        try {
            if (byHand && Files.isRegularFile(executor)
                    && Files.getLastModifiedTime(executor).compareTo(Files.getLastModifiedTime(submitted)) > 0) {
                byHand = false;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!byHand) {
            if (!Files.isRegularFile(executor)) {
                throw new SlurmException(studyDir + ": no Slurm submission found (neither " + executor + " from `run "
                        + "--executor slurm` nor " + submitted + " from a rendered submit.sh)");
            }
            return readFrom(executor);
        }
        SubmissionRecord r = readFrom(rendered);
        Map<String, String> ids = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(submitted)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    ids.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(submitted + ": cannot read: " + e.getMessage(), e);
        }
        Map<String, String> stageJobs = new LinkedHashMap<>();
        Map<String, StudySubmission.TaskRef> tasks = new LinkedHashMap<>();
        for (String stage : r.stageJobs().keySet()) {
            String id = ids.get(stage);
            if (id == null || id.isEmpty()) {
                throw new SlurmException(submitted + ": no job id for stage " + stage + " (submit.sh stopped early?)");
            }
            stageJobs.put(stage, id);
        }
        r.tasks().values().forEach(t -> tasks.put(t.stepId(),
                new StudySubmission.TaskRef(t.stepId(), t.stage(), stageJobs.get(t.stage()), t.index())));
        return new SubmissionRecord(r.study(), r.config(), r.overrides(), r.outputs(), stageJobs, tasks, r.labels());
    }

    private static SubmissionRecord readFrom(Path f) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(f + ": cannot read: " + e.getMessage(), e);
        }
        Map<String, String> sorted = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> sorted.put(k, p.getProperty(k)));
        List<String> overrides = new ArrayList<>();
        Map<String, String> stageJobs = new LinkedHashMap<>();
        Map<String, StudySubmission.TaskRef> tasks = new LinkedHashMap<>();
        Map<String, String> labels = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : sorted.entrySet()) {
            String k = e.getKey();
            String v = e.getValue();
            try {
                if (k.startsWith("override.")) {
                    overrides.add(v);
                } else if (k.startsWith("stage.")) {
                    int eq = v.indexOf('=');
                    stageJobs.put(v.substring(0, eq), v.substring(eq + 1));
                } else if (k.startsWith("step.")) {
                    String[] parts = v.split(",", -1);
                    String id = k.substring(5);
                    tasks.put(id, new StudySubmission.TaskRef(id, parts[0], parts[1], Integer.parseInt(parts[2])));
                } else if (k.startsWith("label.")) {
                    labels.put(k.substring(6), v);
                }
            } catch (RuntimeException bad) {
                throw new SlurmException(f + ": " + k + ": malformed value '" + v + "'", bad);
            }
        }
        for (String k : List.of("study", "config", "outputs")) {
            if (p.getProperty(k) == null) {
                throw new SlurmException(f + ": " + k + ": missing");
            }
        }
        // stages were numbered in submission order; keep tasks in that order too
        Map<String, StudySubmission.TaskRef> ordered = new LinkedHashMap<>();
        for (String stage : stageJobs.keySet()) {
            tasks.values().stream().filter(t -> t.stage().equals(stage))
                    .sorted(java.util.Comparator.comparingInt(StudySubmission.TaskRef::index))
                    .forEach(t -> ordered.put(t.stepId(), t));
        }
        return new SubmissionRecord(p.getProperty("study"), Path.of(p.getProperty("config")), overrides,
                Path.of(p.getProperty("outputs")), stageJobs, ordered, labels);
    }
}
