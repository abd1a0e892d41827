package io.mergelab.data;

import io.mergelab.cli.Main;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Statistics as the seed study's table, and the `data stats` / `data preview` commands. */
class DatasetStatsTest {

    @Test
    void lengthStatsMatchPandas() {
        // pandas: Series([1, 2, 3, 10]).mean()=4.0, .median()=2.5, .std()=4.082483 (ddof 1)
        LengthStats s = LengthStats.of(new int[] {3, 1, 10, 2});
        assertEquals(4.0, s.mean(), 1e-12);
        assertEquals(2.5, s.median(), 1e-12);
        assertEquals(4.08248290463863, s.std(), 1e-12);
        assertEquals(1, s.min());
        assertEquals(10, s.max());
        assertEquals(3, LengthStats.of(new int[] {5, 3, 1}).median(), 0);
        assertEquals(0, LengthStats.words("  \n "));
        assertEquals(4, LengthStats.words(" It's  a\nmulti-line\ttext "));
    }

    @Test
    void drugsWordStatisticsMatchPython() {
        // Reference: Python 3, csv.reader(delimiter='\t') over the shipped TSV,
        // w = [len(html.unescape(r[3][1:-1]).split()) for r in rows];
        // statistics.mean(w) = 83.77, median = 81.5, stdev = 44.57189421321191
        DatasetSplits s = Datasets.prepare(DatasetSpec.load(Path.of("configs/datasets/drugs.yaml")), 42);
        DatasetStats stats = DatasetStats.of(s, null);
        assertEquals(83.77, stats.all().words().mean(), 1e-9);
        assertEquals(81.5, stats.all().words().median(), 0);
        assertEquals(44.57189421321191, stats.all().words().std(), 1e-9);
        assertEquals(null, stats.all().tokens());
        assertEquals(List.of(96, 30, 31, 22, 37, 31, 38, 84, 112, 219), stats.split("train").classCounts());
    }

    @Test
    void markdownHasSizesBalanceAndTokensWhenCounted() {
        DatasetSplits s = Datasets.prepare(DatasetSpec.load(Path.of("configs/datasets/yelp.yaml")), 42);
        DatasetStats stats = DatasetStats.of(s, text -> text.length()); // any counter: characters stand in for tokens
        String md = stats.toMarkdown();
        assertTrue(md.contains("| Split | Examples | negative | positive | Mean words | Median words | Std words | Mean tokens |"), md);
        assertTrue(md.contains("| train | 700 | 350 (50.0%) | 350 (50.0%) |"), md);
        assertTrue(md.contains("| all | 1000 | 500 (50.0%) | 500 (50.0%) | 10.89 | 10.0 | 6.26 |"), md);
        String table = DatasetStats.summaryTable(List.of(stats));
        assertTrue(table.contains("| **yelp** | 1000 | 700 / 100 / 200 | 2 | negative (50.0%) | 10.89 | 10.0 | 6.26 |"), table);
    }

    @Test
    void emptyTextsAreCountedAndReported(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        // 40 rows, 3 of them with a blank text (one only spaces): used as given, counted and named
        StringBuilder tsv = new StringBuilder("text\tlabel\n");
        for (int i = 0; i < 40; i++) {
            String text = i == 5 ? "" : i == 17 ? "   " : i == 30 ? "" : "review number " + i;
            tsv.append(text).append('\t').append(i % 2).append('\n');
        }
        java.nio.file.Files.writeString(tmp.resolve("rows.tsv"), tsv);
        java.nio.file.Files.writeString(tmp.resolve("spec.yaml"), "name: blanks\npath: rows.tsv\nformat: tsv\n"
                + "text: text\nlabel: {column: label, names: [neg, pos]}\nsplit: {validation: 0.25, test: 0.25}\n");
        DatasetSplits s = Datasets.prepare(DatasetSpec.load(tmp.resolve("spec.yaml")), 42);
        DatasetStats stats = DatasetStats.of(s, null);
        assertEquals(40, s.all().size(), "blank rows are kept");
        assertEquals(3, stats.all().emptyTexts());
        assertEquals(3, stats.split("train").emptyTexts() + stats.split("validation").emptyTexts()
                + stats.split("test").emptyTexts());
        assertTrue(stats.emptyTextNote().startsWith("blanks: 3 examples have empty text (train "), stats.emptyTextNote());
        assertTrue(stats.toMarkdown().contains(stats.emptyTextNote()));
        String[] r = cli("data", "stats", tmp.resolve("spec.yaml").toString(), "--summary");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("blanks: 3 examples have empty text"), r[1]);
        DatasetStats yelp = DatasetStats.of(Datasets.prepare(DatasetSpec.load(Path.of("configs/datasets/yelp.yaml")),
                42), null);
        assertEquals(null, yelp.emptyTextNote(), "no blank Yelp sentence");
    }

    static String[] cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    @Test
    void dataStatsCommandPrintsTheTableWithTokens() {
        String[] r = cli("data", "stats", "configs/datasets/yelp.yaml", "configs/datasets/amazon.yaml",
                "--tokenizer", "data/gpt2-tokenizer");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("| **yelp** | 1000 | 700 / 100 / 200 | 2 | negative (50.0%) | 10.89 | 10.0 | 6.26 | 13.42 | 12.0 | 7.14 |"), r[1]);
        assertTrue(r[1].contains("| **amazon** |"), r[1]);
        assertTrue(r[1].contains("### amazon"), r[1]);
        String[] shipped = cli("data", "stats", "--tokens", "--summary", "configs/datasets/yelp.yaml");
        assertEquals("0", shipped[0], shipped[2]);
        assertTrue(shipped[1].contains("| 10.89 | 10.0 | 6.26 | 13.42 | 12.0 | 7.14 |"), shipped[1]);
        assertTrue(!shipped[1].contains("### yelp"), shipped[1]);
    }

    @Test
    void dataCommandErrorsAreOneLine() {
        String[] r = cli("data", "preview", "configs/datasets/nope.yaml");
        assertEquals("1", r[0]);
        assertEquals("mergelab: error: configs/datasets/nope.yaml: dataset spec not found", r[2].strip());
    }

    @Test
    void dataPreviewShowsMappedExamples() {
        String[] r = cli("data", "preview", "configs/datasets/drugs-3class.yaml", "-n", "2", "--split", "test");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("split (seed 42): train 700 [179, 69, 452], validation 100 [25, 10, 65], test 200 [51, 20, 129]"), r[1]);
        assertTrue(r[1].contains("test[1]  "), r[1]);
    }
}
