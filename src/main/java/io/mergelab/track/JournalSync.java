package io.mergelab.track;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Replays every journal under a study directory exactly once: each journal's cursor says what already
 * reached the server. Study (parent) runs go first; a child whose parent is not on the server yet is
 * retried in a later pass.
 */
public final class JournalSync {
    private final MlflowRest rest;
    private final PrintStream log;

    public JournalSync(MlflowRest rest, PrintStream log) {
        this.rest = rest;
        this.log = log;
    }

    /** What a sync did. */
    /** @param rejected records the server refused, each naming its journal, record and reason: not delivered */
    public record Result(int journals, int recordsReplayed, List<Path> stillPending, List<String> rejected) {}

    public Result sync(Path studyDir) {
        if (!Files.isDirectory(studyDir)) {
            throw new IllegalArgumentException(studyDir + ": not a directory (expected outputs/<study>)");
        }
        if (!rest.healthy()) {
            throw new TrackingUnavailableException("tracking server " + rest.endpoint().display()
                    + " does not answer /health; start it (bin/mlflow-server start) or pass --tracking-uri", null);
        }
        List<Journal> journals = find(studyDir);
        JournalReplayer replayer = new JournalReplayer(rest, log);
        List<Journal> todo = new ArrayList<>(journals.stream().filter(j -> j.pending() > 0).toList());
        int replayed = 0;
        boolean progress = true;
        while (!todo.isEmpty() && progress) {
            progress = false;
            List<Journal> later = new ArrayList<>();
            for (Journal j : todo) {
                int before = j.replayed();
                try {
                    replayer.replay(j);
                    replayed += j.replayed() - before;
                    progress = true;
                } catch (TrackingUnavailableException e) {
                    replayed += j.replayed() - before;
                    later.add(j);
                    if (!rest.healthy()) {
                        throw new TrackingUnavailableException("tracking server went away during sync: "
                                + e.getMessage(), e);
                    }
                }
            }
            todo = later;
        }
        for (Journal j : todo) {
            log.println("mergelab: sync: " + j.file() + ": not replayed (parent run missing?)");
        }
        return new Result(journals.size(), replayed, todo.stream().map(Journal::file).toList(), replayer.rejected());
    }

    /**
     * The MLflow experiments a study's journals record into (the study name unless its config set
     * {@code tracking.experiment}), in order of first appearance.
     */
    public static List<String> experiments(Path studyDir) {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        for (Journal j : find(studyDir)) {
            for (var r : j.records()) {
                if (r.hasNonNull("study")) {
                    out.add(r.get("study").asText());
                    break;
                }
            }
        }
        return List.copyOf(out);
    }

    /** Journals under {@code studyDir}, parents (no parent_step_id) first, then by depth. */
    static List<Journal> find(Path studyDir) {
        try (Stream<Path> s = Files.walk(studyDir)) {
            return s.filter(p -> p.getFileName().toString().equals(Journal.FILE))
                    .map(p -> new Journal(p.getParent()))
                    .sorted(Comparator.comparing((Journal j) -> isChild(j))
                            .thenComparing(j -> j.dir().getNameCount())
                            .thenComparing(j -> j.dir().toString()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(studyDir + ": cannot search for tracking journals", e);
        }
    }

    private static boolean isChild(Journal j) {
        List<?> records = j.records();
        return !records.isEmpty() && j.records().get(0).hasNonNull("parent_step_id");
    }
}
