package io.mergelab.search;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SearchJournalTest {
    @TempDir
    Path tmp;

    private static SearchJournal.Entry entry(int i, double score) {
        return new SearchJournal.Entry(i, new double[] {0.1 * i, 0.5}, Map.of("weight.a", 0.1 * i), 7L, score,
                Map.of("yelp", score), null, 0.5);
    }

    private SearchJournal open(Path f, String hash, ByteArrayOutputStream log) throws IOException {
        return SearchJournal.open(f, hash, List.of("weight.a", "weight.b"), new PrintStream(log, true,
                StandardCharsets.UTF_8));
    }

    @Test
    void cutOffLastLineIsDroppedAndTheSearchContinues() throws IOException {
        Path f = tmp.resolve("journal.jsonl");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (SearchJournal j = open(f, "abc", log)) {
            j.add(entry(0, 0.6));
            j.add(entry(1, 0.7));
            j.add(entry(2, Double.NaN));
        }
        long good = Files.size(f);
        // a kill in the middle of writing candidate 3
        Files.writeString(f, "{\"type\":\"candidate\",\"index\":3,\"unit\":[0.3,", StandardOpenOption.APPEND);
        try (SearchJournal j = open(f, "abc", log)) {
            assertEquals(3, j.entries().size());
            assertEquals(1, j.droppedTail());
            assertEquals(0.7, j.entries().get(1).score());
            assertTrue(Double.isNaN(j.entries().get(2).score()));
            assertEquals(good, Files.size(f));
            j.add(entry(3, 0.8));
        }
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("cut-off last line"));
        try (SearchJournal j = open(f, "abc", log)) {
            assertEquals(4, j.entries().size());
            assertEquals(0.8, j.entries().get(3).score());
            assertEquals(0, j.droppedTail());
        }
    }

    @Test
    void damageBeforeTheLastLineIsAnErrorNamingTheLine() throws IOException {
        Path f = tmp.resolve("journal.jsonl");
        try (SearchJournal j = open(f, "abc", new ByteArrayOutputStream())) {
            j.add(entry(0, 0.6));
            j.add(entry(1, 0.7));
        }
        List<String> lines = Files.readAllLines(f);
        lines.set(1, "garbage");
        Files.write(f, lines);
        IOException e = assertThrows(IOException.class, () -> open(f, "abc", new ByteArrayOutputStream()));
        assertTrue(e.getMessage().contains("journal.jsonl:2: damaged journal line"), e.getMessage());
    }

    @Test
    void aJournalOfAnotherSearchIsRefused() throws IOException {
        Path f = tmp.resolve("journal.jsonl");
        open(f, "abc", new ByteArrayOutputStream()).close();
        IOException e = assertThrows(IOException.class, () -> open(f, "def", new ByteArrayOutputStream()));
        assertTrue(e.getMessage().contains("different search"), e.getMessage());
    }
}
