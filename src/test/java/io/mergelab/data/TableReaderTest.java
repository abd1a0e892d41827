package io.mergelab.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each reader on small files written here, including the Drugs.com shape: quoted, multi-line TSV fields. */
class TableReaderTest {

    static Path write(Path dir, String name, String content) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void tsvWithQuotedMultiLineFieldsAndUnnamedFirstColumn(@TempDir Path tmp) throws Exception {
        Path f = write(tmp, "d.tsv", "\tdrugName\treview\trating\n"
                + "1\tA\t\"\"\"Fine, no side effects\"\"\"\t9\n"
                + "2\tB\t\"\"\"Line one.\nLine two with a \ttab.\nLine three\"\"\"\t2\n"
                + "3\tC\t\"plain\"\t5\n");
        RawTable t = TableReader.read(f, TableReader.Options.of(DataFormat.TSV));
        assertEquals(List.of("column1", "drugName", "review", "rating"), t.columns());
        assertEquals(3, t.rows().size());
        assertEquals("\"Fine, no side effects\"", t.rows().get(0).values().get(2));
        assertEquals("\"Line one.\nLine two with a \ttab.\nLine three\"", t.rows().get(1).values().get(2));
        assertEquals("2", t.rows().get(1).values().get(3));
        // records count data rows; lines say where each record starts in the file
        assertEquals(2, t.rows().get(0).line());
        assertEquals(3, t.rows().get(1).line());
        assertEquals(6, t.rows().get(2).line());
        assertEquals(3, t.rows().get(2).record());
    }

    @Test
    void csvWithDelimiterAndWithoutHeader(@TempDir Path tmp) throws Exception {
        Path f = write(tmp, "d.csv", "\"a; quoted\";1\nplain;0\n");
        RawTable t = TableReader.read(f, new TableReader.Options(DataFormat.CSV, false, List.of("text", "label"), ';',
                StandardCharsets.UTF_8));
        assertEquals(List.of("text", "label"), t.columns());
        assertEquals(List.of("a; quoted", "1"), t.rows().get(0).values());
        RawTable unnamed = TableReader.read(f, new TableReader.Options(DataFormat.CSV, false, List.of(), ';',
                StandardCharsets.UTF_8));
        assertEquals(List.of("column1", "column2"), unnamed.columns());
    }

    @Test
    void jsonLinesTakeColumnsFromKeys(@TempDir Path tmp) throws Exception {
        Path f = write(tmp, "d.jsonl", "{\"text\": \"good\", \"stars\": 5}\n\n{\"text\": \"bad\", \"stars\": 1.0, \"extra\": null}\n"
                + "{\"stars\": 3, \"tags\": [\"x\"]}\n");
        RawTable t = TableReader.read(f, TableReader.Options.of(DataFormat.JSONL));
        assertEquals(List.of("text", "stars", "extra", "tags"), t.columns());
        assertEquals(List.of("good", "5", "", ""), t.rows().get(0).values());
        assertEquals(List.of("bad", "1.0", "", ""), t.rows().get(1).values());
        assertEquals(List.of("", "3", "", "[\"x\"]"), t.rows().get(2).values());
        assertEquals(4, t.rows().get(2).line());
    }

    @Test
    void textLabelSplitsAtTheLastTabAndKeepsQuotes(@TempDir Path tmp) throws Exception {
        Path f = write(tmp, "d.txt", "Wow... \"Loved\" this place.\t1\r\nA\ttab inside\t0\n\n");
        RawTable t = TableReader.read(f, TableReader.Options.of(DataFormat.TEXT_LABEL));
        assertEquals(List.of("text", "label"), t.columns());
        assertEquals(List.of("Wow... \"Loved\" this place.", "1"), t.rows().get(0).values());
        assertEquals(List.of("A\ttab inside", "0"), t.rows().get(1).values());
    }

    @Test
    void badInputIsAOneLineErrorNamingFileAndRow(@TempDir Path tmp) throws Exception {
        Path tsv = write(tmp, "short.tsv", "a\tb\n1\t2\n3\n");
        DatasetException e = assertThrows(DatasetException.class, () -> TableReader.read(tsv, TableReader.Options.of(DataFormat.TSV)));
        assertTrue(e.getMessage().startsWith(tsv + ": record 2 (line 3) has 1 fields, the header has 2"), e.getMessage());

        Path json = write(tmp, "bad.jsonl", "{\"a\": 1}\n{\"a\": \n");
        e = assertThrows(DatasetException.class, () -> TableReader.read(json, TableReader.Options.of(DataFormat.JSONL)));
        assertTrue(e.getMessage().startsWith(json + ": line 2: not valid JSON"), e.getMessage());

        Path txt = write(tmp, "bad.txt", "fine\t1\nno tab here\n");
        e = assertThrows(DatasetException.class, () -> TableReader.read(txt, TableReader.Options.of(DataFormat.TEXT_LABEL)));
        assertTrue(e.getMessage().startsWith(txt + ": line 2: expected text<TAB>label"), e.getMessage());

        Path latin1 = tmp.resolve("latin1.tsv");
        Files.write(latin1, new byte[] {'a', '\n', (byte) 0xE9, '\n'});
        e = assertThrows(DatasetException.class, () -> TableReader.read(latin1, TableReader.Options.of(DataFormat.TSV)));
        assertTrue(e.getMessage().contains(latin1 + ": not valid UTF-8"), e.getMessage());

        Path open = write(tmp, "open.tsv", "a\tb\n\"never closed\t1\nmore\n");
        e = assertThrows(DatasetException.class, () -> TableReader.read(open, TableReader.Options.of(DataFormat.TSV)));
        assertTrue(e.getMessage().startsWith(open + ": "), e.getMessage());

        Path dup = write(tmp, "dup.csv", "a,a\n1,2\n");
        e = assertThrows(DatasetException.class, () -> TableReader.read(dup, TableReader.Options.of(DataFormat.CSV)));
        assertTrue(e.getMessage().contains("header names column 'a' twice"), e.getMessage());

        Path missing = tmp.resolve("missing.tsv");
        e = assertThrows(DatasetException.class, () -> TableReader.read(missing, TableReader.Options.of(DataFormat.TSV)));
        assertEquals(missing + ": data file not found", e.getMessage());
    }

    @Test
    void htmlEntitiesAndQuoteArtefactAreCleaned() {
        assertEquals("it's \"fine\" & <ok> caf\u00e9 \u20ac5 \u2019 &unknown; A",
                TextCleaner.decodeHtml("it&#039;s &quot;fine&quot; &amp; &lt;ok&gt; caf&eacute; &euro;5 &rsquo; &unknown; &#x41;"));
        assertEquals("I said \"hi\"", TextCleaner.STRIP_QUOTES.apply("\"I said \"hi\"\""));
        assertEquals("no quotes", TextCleaner.STRIP_QUOTES.apply("no quotes"));
        assertEquals("a b c", TextCleaner.WHITESPACE.apply("  a \n b\t\tc "));
    }
}
