package io.mergelab.track;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A step's offline tracking journal: append-only JSON lines, fsync'd per append
 * ({@code mlflow-journal.jsonl}), and a cursor file ({@code mlflow-journal.replayed}) holding how many
 * lines have reached the server, replaced atomically. Line 0 is always the run's {@code start} record.
 */
public final class Journal {
    public static final String FILE = "mlflow-journal.jsonl";
    public static final String CURSOR = "mlflow-journal.replayed";
    /** Copies of artifact files, content-addressed, taken when the artifact was recorded. */
    public static final String BLOBS = "mlflow-journal.blobs";
    /** NaN metrics are legal in MLflow, so the journal reads them back too. */
    static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private final Path dir;

    public Journal(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public Path file() {
        return dir.resolve(FILE);
    }

    public boolean exists() {
        return Files.isRegularFile(file());
    }

    public void append(ObjectNode record) {
        byte[] line = (record.toString() + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(file(), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer buf = ByteBuffer.wrap(line);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file() + ": cannot append to the tracking journal", e);
        }
    }

    /**
     * An artifact record as it is journaled: the file (or folder) is copied into {@link #BLOBS} now, named by its
     * content's SHA-256, and the record points there ({@code blob}, relative to the journal); {@code sync} uploads
     * what the file held when it was logged, even if it was a temporary file since deleted or a config edited
     * since. Other records are returned as they are.
     */
    ObjectNode pin(ObjectNode record) {
        String type = record.path("type").asText();
        if (!type.equals("artifact") && !type.equals("artifacts")) {
            return record;
        }
        Path source = Path.of(record.get(type.equals("artifact") ? "file" : "dir").asText());
        try {
            Path blobs = Files.createDirectories(dir.resolve(BLOBS));
            String digest = digest(source);
            Path blob = blobs.resolve(digest).resolve(source.getFileName().toString());
            if (!Files.exists(blob)) {
                Path tmp = blobs.resolve(digest + ".tmp-" + ProcessHandle.current().pid());
                deleteTree(tmp);
                Files.createDirectories(tmp);
                copyTree(source, tmp.resolve(source.getFileName().toString()));
                deleteTree(blobs.resolve(digest));
                Files.move(tmp, blobs.resolve(digest), StandardCopyOption.ATOMIC_MOVE);
            }
            return record.deepCopy().put("blob", dir.relativize(blob).toString());
        } catch (IOException e) {
            throw new UncheckedIOException(source + ": cannot copy the artifact into the tracking journal " + dir, e);
        }
    }

    /** {@code record} with its {@code blob} resolved into the {@code file}/{@code dir} the replayer uploads. */
    ObjectNode resolve(ObjectNode record) {
        if (!record.hasNonNull("blob")) {
            return record;
        }
        String key = record.path("type").asText().equals("artifact") ? "file" : "dir";
        return record.deepCopy().put(key, dir.resolve(record.get("blob").asText()).toString());
    }

    private static String digest(Path source) throws IOException {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            List<Path> files;
            try (var walk = Files.walk(source)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path f : files) {
                sha.update(source.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(Files.readAllBytes(f));
                sha.update((byte) 0);
            }
            return java.util.HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.createDirectories(t.getParent());
                    Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    /** Complete records in order; a torn last line (crash mid-write) is ignored. */
    public List<ObjectNode> records() {
        if (!exists()) {
            return List.of();
        }
        try {
            String text = Files.readString(file(), StandardCharsets.UTF_8);
            List<ObjectNode> out = new ArrayList<>();
            int start = 0;
            for (int nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
                String line = text.substring(start, nl);
                start = nl + 1;
                if (!line.isBlank()) {
                    out.add((ObjectNode) JSON.readTree(line));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(file() + ": unreadable tracking journal (" + e.getMessage() + ")", e);
        }
    }

    /** How many records have been replayed (delivered to the server). */
    public int replayed() {
        Path c = dir.resolve(CURSOR);
        try {
            return Files.isRegularFile(c) ? Integer.parseInt(Files.readString(c).strip()) : 0;
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException(c + ": expected the number of replayed journal records", e);
        }
    }

    public int pending() {
        return Math.max(0, records().size() - replayed());
    }

    void markReplayed(int count) {
        Path c = dir.resolve(CURSOR);
        Path tmp = dir.resolve(CURSOR + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap((count + "\n").getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            try {
                Files.move(tmp, c, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, c, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(c + ": cannot record replay progress", e);
        }
    }
}
