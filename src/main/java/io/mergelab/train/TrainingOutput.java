package io.mergelab.train;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Rules shared by the trainers for their output dir: what may be resumed, replaced, or must be refused. */
final class TrainingOutput {
    static final String METRICS = "metrics.json";

    private TrainingOutput() {}

    /** Creates {@code out}, or checks that it holds an interrupted run of {@code what} (or clears it on overwrite). */
    static void prepare(Path out, boolean overwrite, String what) throws IOException {
        if (!Files.exists(out)) {
            Files.createDirectories(out);
            return;
        }
        if (!Files.isDirectory(out)) {
            throw new IllegalArgumentException(out + ": output exists and is not a directory");
        }
        boolean finished = Files.isRegularFile(out.resolve(METRICS));
        boolean interrupted = Files.isDirectory(out.resolve(ResumeCheckpoints.DIR));
        boolean empty;
        try (Stream<Path> s = Files.list(out)) {
            empty = s.findAny().isEmpty();
        }
        if (overwrite) {
            if (!empty) {
                ResumeCheckpoints.deleteRecursively(out);
                Files.createDirectories(out);
            }
            return;
        }
        if (finished) {
            throw new IllegalArgumentException(out + ": holds a finished " + what + " (metrics.json); pass --overwrite "
                    + "to train again");
        }
        if (!empty && !interrupted) {
            throw new IllegalArgumentException(out + ": exists and is not a mergelab " + what + " output; pass "
                    + "--overwrite to replace it or choose another --out");
        }
    }

    /**
     * After a failed run: removes {@code out} if this run created it and left nothing in it, so a failure leaves no
     * empty folder behind (a run that wrote a checkpoint keeps it, to resume from).
     */
    static void removeIfEmpty(Path out, boolean created, Throwable failure) {
        if (!created) {
            return;
        }
        try (Stream<Path> s = Files.list(out)) {
            if (s.findAny().isEmpty()) {
                Files.delete(out);
            }
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** Resuming is only sound with the same arguments and data; anything else is refused, naming the difference. */
    static void checkSameRun(Path checkpoint, TrainingState state, TrainingArgs args, String fingerprint) {
        JsonNode saved = TrainingState.MAPPER.valueToTree(state.meta.get("args"));
        JsonNode now = TrainingState.MAPPER.valueToTree(args.effectiveValues());
        if (saved != null) {
            List<String> diffs = new ArrayList<>(); // by text: 42 read back from JSON is an int, written as a long
            now.fieldNames().forEachRemaining(k -> {
                if (!String.valueOf(now.get(k)).equals(String.valueOf(saved.get(k)))) {
                    diffs.add(k + " " + saved.get(k) + " -> " + now.get(k));
                }
            });
            if (!diffs.isEmpty()) {
                throw new IllegalArgumentException(checkpoint + ": was written with other training arguments ("
                        + String.join(", ", diffs) + "); pass --overwrite to start again");
            }
        }
        Object data = state.meta.get("data");
        if (data != null && !data.equals(fingerprint)) {
            throw new IllegalArgumentException(checkpoint + ": was written for other data (" + data + " vs "
                    + fingerprint + "); pass --overwrite to start again");
        }
    }
}
