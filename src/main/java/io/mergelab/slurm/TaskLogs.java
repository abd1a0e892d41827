package io.mergelab.slurm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Where an array task of a study logs ({@code outputs/<study>/logs/<stage>-<array id>_<task>.out}) and its tail. */
public final class TaskLogs {
    private TaskLogs() {}

    public static Path log(Path studyDir, StudySubmission.TaskRef task) {
        return SbatchRenderer.logsDir(studyDir.toAbsolutePath().normalize())
                .resolve(task.stage() + "-" + task.jobId() + "_" + task.index() + ".out");
    }

    /** The last {@code lines} lines of {@code log}; empty when it does not exist (yet). */
    public static List<String> tail(Path log, int lines) {
        if (!Files.isRegularFile(log)) {
            return List.of();
        }
        try {
            List<String> all = List.of(new String(Files.readAllBytes(log), StandardCharsets.UTF_8).split("\n"));
            return all.subList(Math.max(0, all.size() - lines), all.size());
        } catch (IOException e) {
            return List.of("(cannot read " + log + ": " + e.getMessage() + ")");
        }
    }

    /** The most telling line of a failed task's log: the last error line, else the last line. */
    public static String reason(Path log) {
        List<String> t = tail(log, 40);
        for (int i = t.size() - 1; i >= 0; i--) {
            String l = t.get(i).strip();
            if (l.startsWith("mergelab: error:") || l.startsWith("FAILED ") || l.contains("Exception:")) {
                return l;
            }
        }
        return t.isEmpty() ? "(no log at " + log + ")" : t.get(t.size() - 1).strip();
    }
}
