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
