package io.mergelab.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The search's memory across kills: one JSON object per line, appended and fsync'd before the next
 * candidate starts. A line cut short by a kill (the last one, without its newline or unparseable) is
 * dropped and cut from the file; damage anywhere else is an error naming the line.
 */
final class SearchJournal implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One evaluated candidate; {@code score} is NaN when the merge failed ({@code error} says why). */
    record Entry(int index, double[] unit, Map<String, Double> values, long mergeSeed, double score,
            Map<String, Double> perDataset, String error, double seconds) {
        boolean ok() {
            return !Double.isNaN(score);
        }
    }

    /** The best candidate's single test evaluation. */
    record Final(int bestIndex, double testScore, Map<String, Double> perDataset) {
    }

    private final Path file;
    private final FileChannel channel;
    private final List<Entry> entries;
    private Final fin;
    private final int droppedTail;

    private SearchJournal(Path file, FileChannel channel, List<Entry> entries, Final fin, int droppedTail) {
        this.file = file;
        this.channel = channel;
        this.entries = entries;
        this.fin = fin;
        this.droppedTail = droppedTail;
    }

    /**
     * Opens (or creates) the journal for a search whose identity is {@code configHash}; a journal written
     * for a different search is an error rather than silently mixed in.
     */
    static SearchJournal open(Path file, String configHash, List<String> dimensions, PrintStream log)
            throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        List<Entry> entries = new ArrayList<>();
        Final fin = null;
        int dropped = 0;
        boolean exists = Files.exists(file) && Files.size(file) > 0;
        if (exists) {
            byte[] bytes = Files.readAllBytes(file);
            String text = new String(bytes, StandardCharsets.UTF_8);
            int lastNl = text.lastIndexOf('\n');
            String complete = lastNl < 0 ? "" : text.substring(0, lastNl + 1);
            if (lastNl < text.length() - 1) {
                dropped = 1; // a kill cut the last line short
            }
            String[] lines = complete.isEmpty() ? new String[0] : complete.split("\n", -1);
            int n = lines.length - 1; // the split leaves "" after the final newline
            long keepBytes = 0;
            for (int i = 0; i < n; i++) {
                String line = lines[i];
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (IOException e) {
                    node = null;
                }
                if (node == null || !node.isObject() || !node.has("type")) {
                    if (i == n - 1 && dropped == 0) {
                        dropped = 1;
                        break;
                    }
                    throw new IOException(file + ":" + (i + 1) + ": damaged journal line (not a JSON record); "
                            + "only a cut-off last line is repaired automatically");
                }
                keepBytes += line.getBytes(StandardCharsets.UTF_8).length + 1;
                String type = node.get("type").asText();
                if (i == 0) {
                    if (!type.equals("search")) {
                        throw new IOException(file + ":1: not a search journal (first record has type '" + type + "')");
                    }
                    String h = node.path("config_hash").asText();
                    if (!h.equals(configHash)) {
                        throw new IOException(file + ": this journal belongs to a different search (config hash " + h
                                + ", this config " + configHash + "); use a new output directory or --restart");
                    }
                } else if (type.equals("candidate")) {
                    Entry e = entry(node);
                    if (e.index() != entries.size()) {
                        throw new IOException(file + ":" + (i + 1) + ": candidate " + e.index() + " out of order "
                                + "(expected " + entries.size() + ")");
                    }
                    entries.add(e);
                } else if (type.equals("final")) {
                    fin = new Final(node.get("best_index").asInt(), node.get("test_score").asDouble(),
                            doubles(node.get("per_dataset")));
                }
            }
            if (dropped > 0) {
                log.println("search: " + file + ": dropped a cut-off last line (interrupted write); continuing");
                try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    c.truncate(keepBytes);
                    c.force(true);
                }
            }
            if (keepBytes == 0) {
                exists = false;
            }
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        SearchJournal j = new SearchJournal(file, ch, entries, fin, dropped);
        if (!exists) {
            ObjectNode h = JSON.createObjectNode();
            h.put("type", "search");
            h.put("config_hash", configHash);
            h.putPOJO("dimensions", dimensions);
            j.append(h);
        }
        return j;
    }

    List<Entry> entries() {
        return List.copyOf(entries);
    }

    Optional<Final> fin() {
        return Optional.ofNullable(fin);
    }

    int droppedTail() {
        return droppedTail;
    }

    Path file() {
        return file;
    }

    void add(Entry e) throws IOException {
        if (e.index() != entries.size()) {
            throw new IllegalStateException("candidate " + e.index() + " appended out of order");
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "candidate");
        n.put("index", e.index());
        var x = n.putArray("unit");
        for (double v : e.unit()) {
            x.add(v);
        }
        n.putPOJO("values", e.values());
        n.put("merge_seed", e.mergeSeed());
        if (e.ok()) {
            n.put("score", e.score());
        } else {
            n.putNull("score");
        }
        n.putPOJO("per_dataset", e.perDataset());
        if (e.error() != null) {
            n.put("error", e.error());
        }
        n.put("seconds", e.seconds());
        append(n);
        entries.add(e);
    }

    void setFinal(Final f) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "final");
        n.put("best_index", f.bestIndex());
        n.put("test_score", f.testScore());
        n.putPOJO("per_dataset", f.perDataset());
        append(n);
        fin = f;
    }

    private void append(ObjectNode n) throws IOException {
        ByteBuffer b = ByteBuffer.wrap((JSON.writeValueAsString(n) + "\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            channel.write(b);
        }
        channel.force(false);
    }

    private static Entry entry(JsonNode n) {
        JsonNode u = n.get("unit");
        double[] unit = new double[u.size()];
        for (int i = 0; i < unit.length; i++) {
            unit[i] = u.get(i).asDouble();
        }
        JsonNode s = n.get("score");
        double score = s == null || s.isNull() ? Double.NaN : s.asDouble();
        return new Entry(n.get("index").asInt(), unit, doubles(n.get("values")), n.get("merge_seed").asLong(), score,
                doubles(n.get("per_dataset")), n.hasNonNull("error") ? n.get("error").asText() : null,
                n.path("seconds").asDouble());
    }

    private static Map<String, Double> doubles(JsonNode n) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (n != null) {
            n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asDouble()));
        }
        return m;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
