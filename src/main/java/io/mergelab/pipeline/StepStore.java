package io.mergelab.pipeline;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The outputs of one study on disk, {@code outputs/<study>/}: each step in {@code <step-id>/}, built in
 * {@code .tmp/} and renamed into place with its done-marker {@code _done.json} written last. A folder without
 * the marker is not done (and is replaced); nothing half-written is ever read.
 */
public final class StepStore {
    public static final String DONE = "_done.json";
    public static final String STEP = "_step.json";
    public static final String PLAN = "plan.json";
    /** The Slurm job that made a step (job_id, array ids, node, log), when one did. */
    public static final String SLURM_JOB = io.mergelab.slurm.SbatchRenderer.JOB_RECORD; // the job script writes it

    private final Path root;

    public StepStore(Path studyDir) {
        this.root = studyDir.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    public Path dir(String stepId) {
        return root.resolve(stepId);
    }

    /** The step's done-marker is there and the files it records are intact (sizes, safetensors headers). */
    public boolean isDone(String stepId) {
        return Files.isRegularFile(dir(stepId).resolve(DONE)) && brokenReason(stepId, false) == null;
    }

    /**
     * Why a step that has its done-marker cannot be trusted, in a few words, or null when it can (or has no
     * marker). Each file the marker records must be there with its size, and a safetensors file must have a
     * readable header that fits it; with {@code hashes} every file's SHA-256 is compared too (reads it all).
     * Markers written before files were recorded are trusted as they are.
     */
    public String brokenReason(String stepId, boolean hashes) {
        Path dir = dir(stepId);
        Path marker = dir.resolve(DONE);
        if (!Files.isRegularFile(marker)) {
            return null;
        }
        JsonNode files;
        try {
            files = Canonical.json().readTree(marker.toFile()).path("files");
        } catch (IOException | RuntimeException e) {
            return "its " + DONE + " is unreadable (" + e.getMessage() + ")";
        }
        for (var it = files.fields(); it.hasNext(); ) {
            var e = it.next();
            Path f = dir.resolve(e.getKey());
            long expected = e.getValue().path("bytes").asLong(-1);
            try {
                if (!Files.isRegularFile(f)) {
                    return e.getKey() + " is missing";
                }
                long size = Files.size(f);
                if (size != expected) {
                    return e.getKey() + " has " + size + " bytes, " + expected + " when the step finished";
                }
                if (e.getKey().endsWith(".safetensors")) {
                    io.mergelab.model.checkpoint.SafetensorsFile.readTensorInfos(f);
                }
                if (hashes && !StudyPlanner.hashFile(f).equals(e.getValue().path("sha256").asText())) {
                    return e.getKey() + " changed since the step finished (SHA-256 differs)";
                }
            } catch (IOException | RuntimeException ex) {
                String why = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
                return e.getKey() + " is damaged: " + why.lines().findFirst().orElse(why);
            }
        }
        return null;
    }

    /** Takes a step's done-marker away (its outputs are broken), so every run redoes it. */
    public void markUndone(String stepId) throws IOException {
        Files.deleteIfExists(dir(stepId).resolve(DONE));
    }

    /**
     * The folder a step works in, on the same file system as its final place: a fresh one under {@code .tmp/},
     * or for a resumable step the stable {@code .work/<step-id>/} that a killed attempt left behind.
     */
    public Path begin(Step step) throws IOException {
        if (step.action() != null && step.action().resumable()) {
            Path work = root.resolve(".work").resolve(step.id());
            Files.createDirectories(work);
            return work;
        }
        Path tmp = root.resolve(".tmp").resolve(step.id() + "-" + String.format("%08x",
                ThreadLocalRandom.current().nextInt()));
        Files.createDirectories(tmp);
        return tmp;
    }

    /** Writes the step's record and the done-marker into {@code work}, then moves it into place. */
    public Path commit(Step step, Path work, Instant started) throws IOException {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("id", step.id());
        record.put("kind", step.kind());
        record.put("label", step.label());
        record.put("inputs", step.inputs());
        record.put("deps", step.deps());
        record.put("meta", step.meta());
        record.put(PlanFile.VERSION, StudyPlanner.VERSION); // which planner's id this is
        writeAtomically(work.resolve(STEP), Canonical.json().writeValueAsString(record));
        // A Slurm job records its ids beside the step (the folder is created by this rename); keep them in it.
        Path jobRecord = root.resolve("slurm-jobs").resolve(step.id()).resolve(SLURM_JOB);
        if (Files.isRegularFile(jobRecord)) {
            Files.copy(jobRecord, work.resolve(SLURM_JOB), StandardCopyOption.REPLACE_EXISTING);
        }
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("id", step.id());
        done.put("started", started.toString());
        done.put("finished", Instant.now().toString());
        done.put("files", fileRecords(work));
        writeAtomically(work.resolve(DONE), Canonical.json().writeValueAsString(done));
        Path target = dir(step.id());
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            // Left by a run killed between an old layout's writes, or an unfinished folder: never trusted.
            deleteRecursively(target);
        }
        move(work, target);
        return target;
    }

    /** Each file under {@code dir} (but the done-marker), by relative path: its size and SHA-256. */
    private static Map<String, Object> fileRecords(Path dir) throws IOException {
        Map<String, Object> out = new java.util.TreeMap<>();
        List<Path> files;
        try (var walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        for (Path f : files) {
            String rel = dir.relativize(f).toString().replace('\\', '/');
            if (rel.equals(DONE)) {
                continue;
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("bytes", Files.size(f));
            r.put("sha256", StudyPlanner.hashFile(f)); // the hash step ids use for input files
            out.put(rel, r);
        }
        return out;
    }

    /**
     * Removes temp folders of runs that died; call only while holding {@link #lock()}. A folder whose step is
     * locked belongs to a live {@code run --only STEP} of this study and is left alone.
     */
    public void cleanTemp() throws IOException {
        Path tmp = root.resolve(".tmp");
        if (!Files.isDirectory(tmp)) {
            return;
        }
        try (var entries = Files.list(tmp)) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                int dash = name.lastIndexOf('-');
                String stepId = dash > 0 ? name.substring(0, dash) : name;
                try (RunLock held = tryLockStep(stepId)) {
                    if (held != null) {
                        deleteRecursively(p);
                    }
                }
            }
        }
    }

    /** One run per study at a time; the lock dies with the process, so a killed run never blocks the next. */
    public RunLock lock() throws IOException {
        Files.createDirectories(root);
        FileChannel ch = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                ch.close();
                throw new IllegalStateException(root + ": another mergelab run is working on this study "
                        + "(wait for it, or stop it first)");
            }
            return new RunLock(ch, lock);
        } catch (OverlappingFileLockException e) {
            ch.close();
            throw new IllegalStateException(root + ": this process already runs this study");
        }
    }

    /**
     * One step at a time across processes ({@code run --only STEP}, e.g. array tasks of one study on a
     * cluster): waits while another process works on the step; the lock dies with the process.
     */
    public RunLock lockStep(String stepId) throws IOException {
        FileChannel ch = stepLockChannel(stepId);
        try {
            return new RunLock(ch, ch.lock());
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** {@link #lockStep} without waiting: null when another process holds the step. */
    RunLock tryLockStep(String stepId) throws IOException {
        FileChannel ch = stepLockChannel(stepId);
        try {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                ch.close();
                return null;
            }
            return new RunLock(ch, lock);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private FileChannel stepLockChannel(String stepId) throws IOException {
        Path dir = root.resolve(".locks");
        Files.createDirectories(dir);
        return FileChannel.open(dir.resolve(stepId + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }

    public JsonNode readJson(String stepId, String file) throws IOException {
        return Canonical.json().readTree(dir(stepId).resolve(file).toFile());
    }

    public static void writeAtomically(Path target, String content) throws IOException {
        Files.createDirectories(target.toAbsolutePath().getParent());
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-"
                + String.format("%08x", ThreadLocalRandom.current().nextInt()));
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            move(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Replaces folder {@code target} by {@code source} (a finished temp folder) with renames only. */
    public static void replaceDir(Path source, Path target) throws IOException {
        Path old = target.resolveSibling("." + target.getFileName() + ".old-"
                + String.format("%08x", ThreadLocalRandom.current().nextInt()));
        boolean hadOld = Files.exists(target);
        if (hadOld) {
            move(target, old);
        }
        move(source, target);
        if (hadOld) {
            deleteRecursively(old);
        }
    }

    static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    public static void deleteRecursively(Path p) throws IOException {
        io.mergelab.model.checkpoint.AtomicFiles.deleteRecursively(p);
    }

    /** Held while a run works on the study. */
    public static final class RunLock implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock lock;

        RunLock(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        @Override
        public void close() throws IOException {
            lock.release();
            channel.close();
        }
    }
}
