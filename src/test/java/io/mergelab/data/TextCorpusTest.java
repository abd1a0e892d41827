package io.mergelab.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading pre-training text from the shipped review files and from user files. */
class TextCorpusTest {

    @Test
    void uciLinesLoseTheirLabelAndDrugsReviewsTheirQuotesAndEntities() {
        TextCorpus c = TextCorpus.read(List.of(Path.of("data/uci-sentiment/imdb_labelled.txt"),
                Path.of("data/drugscom-sample")), null);
        assertEquals(List.of(Path.of("data/uci-sentiment/imdb_labelled.txt"),
                Path.of("data/drugscom-sample/drugsComTrain_raw.tsv")), c.files(), "LICENSE/PROVENANCE.md skipped");
        assertEquals(1000 + 1000, c.documents().size());
        String first = c.documents().get(0);
        assertFalse(first.matches(".*\\t[01]$"), first);
        assertTrue(c.documents().stream().noneMatch(d -> d.contains("&#039;")), "HTML entities decoded");
        String drug = c.documents().get(1000);
        assertTrue(drug.startsWith("It has no side effect"), drug); // the first review, without """ quotes
    }

    @Test
    void plainTextAndANamedCsvColumn(@TempDir Path tmp) throws IOException {
        Path txt = Files.writeString(tmp.resolve("a.txt"), "first document\n\n  second one  \n");
        Path csv = Files.writeString(tmp.resolve("b.csv"), "id,comment\n1,\"hello, world\"\n2,bye\n");
        assertEquals(List.of("first document", "second one"), TextCorpus.read(List.of(txt), null).documents());
        assertEquals(List.of("hello, world", "bye"), TextCorpus.read(List.of(csv), "comment").documents());
        DatasetException e = assertThrows(DatasetException.class, () -> TextCorpus.read(List.of(csv), null));
        assertTrue(e.getMessage().startsWith(csv + ": no text column found"), e.getMessage());
        DatasetException missing = assertThrows(DatasetException.class,
                () -> TextCorpus.read(List.of(tmp.resolve("nope.txt")), null));
        assertEquals(tmp.resolve("nope.txt") + ": corpus file or directory not found", missing.getMessage());
    }
}
