package io.mergelab.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.mergelab.data.TableReaderTest.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spec parsing: fields, label rules, filters, templates, path resolution, and errors with file:line:column. */
class DatasetSpecTest {

    static final String REVIEWS = "id,cond,review,stars\n"
            + "1,Pain,\"Great &amp; fast\",9\n"
            + "2,,\"Did nothing\",2\n"
            + "3,Acne,\"Meh, ok\",5\n"
            + "4,Acne,\"Good\",10\n"
            + "5,Pain,\"Awful\",1\n"
            + "6,Pain,\"Fine\",6\n";

    @Test
    void templateMapsTransformsFiltersAndCleans(@TempDir Path tmp) throws Exception {
        write(tmp, "r.csv", REVIEWS);
        Path spec = write(tmp, "r.yaml", """
                path: r.csv
                text: "{cond}: {review}"
                clean: [html_entities]
                label: {column: stars, bins: [[1, 4], [5, 6], [7, 10]], names: [neg, neu, pos]}
                filters: [{column: cond, not_empty: true}]
                """);
        DatasetSpec s = DatasetSpec.load(spec);
        assertEquals("r", s.name());                 // default: file name
        assertEquals(DataFormat.CSV, s.format());    // default: from the extension
        assertEquals(List.of("neg", "neu", "pos"), s.labels());
        Datasets.LoadedFile f = Datasets.read(s);
        assertEquals(6, f.rowsRead());
        assertEquals(1, f.filteredOut());
        assertEquals(List.of(new Example("Pain: Great & fast", 2), new Example("Acne: Meh, ok", 1),
                new Example("Acne: Good", 2), new Example("Pain: Awful", 0), new Example("Pain: Fine", 1)), f.examples());
    }

    @Test
    void labelRules(@TempDir Path tmp) throws Exception {
        write(tmp, "r.csv", REVIEWS);
        DatasetSpec transform = DatasetSpec.fromMap(Map.of("name", "t", "path", "r.csv", "text", "review",
                "label", Map.of("transform", "stars - 1", "num_labels", 10)), tmp.resolve("exp.yaml"));
        assertEquals("stars", transform.label().column());
        assertEquals("t", transform.name());
        assertEquals("r", DatasetSpec.fromMap(Map.of("path", "r.csv", "label", Map.of("transform", "stars", "num_labels", 11)),
                tmp.resolve("exp.yaml")).name());
        assertEquals(List.of(8, 1, 4, 9, 0, 5), Datasets.read(transform).examples().stream().map(Example::label).toList());

        DatasetSpec map = DatasetSpec.fromMap(Map.of("name", "m", "path", "r.csv", "text", "review",
                "label", Map.of("column", "cond", "map", new LinkedHashMap<>(Map.of("Pain", "hurts", "Acne", "skin", "", "hurts")))),
                tmp.resolve("exp.yaml"));
        assertEquals(2, map.labels().size());
        assertTrue(map.labels().containsAll(List.of("hurts", "skin")));

        Map<String, Object> ids = new LinkedHashMap<>();
        ids.put("neg", 0);
        ids.put("pos", 1);
        ids.put("negative", 0);
        LabelMapping byId = DatasetSpec.fromMap(Map.of("name", "x", "path", "r.csv", "label",
                Map.of("column", "stars", "map", ids)), null).label();
        assertEquals(List.of("neg", "pos"), byId.names());
        assertEquals(0, byId.apply("negative"));

        LabelMapping identity = DatasetSpec.fromMap(Map.of("name", "x", "path", "r.csv", "label",
                Map.of("column", "stars", "names", List.of("no", "yes"))), null).label();
        assertEquals(1, identity.apply("yes"));
        assertEquals(1, identity.apply(" 1 "));
        assertEquals(0, identity.apply("0.0"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> identity.apply("2"));
        assertTrue(e.getMessage().contains("value '2' gives label 2, outside the label space 0..1"), e.getMessage());

        LabelMapping bins = DatasetSpec.fromMap(Map.of("name", "x", "path", "r.csv", "label",
                Map.of("column", "stars", "bins", List.of(List.of(1, 4), List.of(5, 10)))), null).label();
        assertEquals(List.of("1-4", "5-10"), bins.names());
        assertEquals(1, bins.apply("7.5"));
    }

    @Test
    void relativePathsResolveAgainstTheSpecDirectoryThenMergelabHome(@TempDir Path tmp) throws Exception {
        Path specDir = Files.createDirectories(tmp.resolve("specs"));
        Path home = Files.createDirectories(tmp.resolve("home/data"));
        write(home, "h.txt", "good\t1\nbad\t0\n");
        write(specDir, "h.txt", "local\t1\nlocal bad\t0\n");
        Path spec = write(specDir, "s.yaml", "path: data/h.txt\nlabel: {names: [neg, pos]}\n");
        String old = System.getProperty("mergelab.home");
        System.setProperty("mergelab.home", tmp.resolve("home").toString());
        try {
            assertEquals(home.resolve("h.txt"), DatasetSpec.load(spec).dataFile());
            Path local = write(specDir, "l.yaml", "path: h.txt\nlabel: {names: [neg, pos]}\n");
            assertEquals(specDir.resolve("h.txt"), DatasetSpec.load(local).dataFile());
        } finally {
            if (old == null) {
                System.clearProperty("mergelab.home");
            } else {
                System.setProperty("mergelab.home", old);
            }
        }
    }

    @Test
    void splitDefaultsAndFiles(@TempDir Path tmp) throws Exception {
        Path spec = write(tmp, "s.yaml", "path: a.txt\nlabel: {names: [n, p]}\n");
        SplitPlan d = DatasetSpec.load(spec).split();
        assertEquals(0.1, d.validation());
        assertEquals(0.2, d.test());
        assertTrue(d.stratify());
        assertNull(d.seed());
        Path files = write(tmp, "f.yaml", "label: {names: [n, p]}\nsplit: {files: {train: a.txt, test: b.txt}, validation: 0.25, seed: 3}\n");
        SplitPlan f = DatasetSpec.load(files).split();
        assertEquals("a.txt", f.trainFile());
        assertEquals("b.txt", f.testFile());
        assertEquals(0.25, f.validation());
        assertEquals(0.0, f.test());
        assertEquals(3L, f.seed());
        assertEquals(DataFormat.TEXT_LABEL, DatasetSpec.load(files).format());
    }

    @Test
    void specInlinedInAnotherYamlKeepsPositions(@TempDir Path tmp) throws Exception {
        write(tmp, "d.txt", "good\t1\nbad\t0\n");
        Path exp = write(tmp, "exp.yaml", "seed: 1\ndataset:\n  name: mine\n  path: d.txt\n  label: {names: [neg, pos]}\n");
        DatasetSpec s = DatasetSpec.loadSection(exp, "dataset");
        assertEquals("mine", s.name());
        assertEquals(2, Datasets.read(s).examples().size());
        Path bad = write(tmp, "bad.yaml", "dataset:\n  name: mine\n  path: d.txt\n  label: {names: neg}\n");
        DatasetException e = org.junit.jupiter.api.Assertions.assertThrows(DatasetException.class,
                () -> DatasetSpec.loadSection(bad, "dataset"));
        assertTrue(e.getMessage().startsWith(bad + ":4:18: dataset.label.names: expected a list"), e.getMessage());
    }

    @Test
    void jsonLinesAndHeaderlessCsvWorkThroughASpec(@TempDir Path tmp) throws Exception {
        write(tmp, "r.jsonl", "{\"text\": \"great\", \"label\": \"pos\"}\n{\"text\": \"awful\", \"label\": \"neg\"}\n");
        DatasetSpec json = DatasetSpec.load(write(tmp, "j.yaml", "path: r.jsonl\nlabel: {names: [neg, pos]}\n"));
        assertEquals(DataFormat.JSONL, json.format());
        assertEquals(List.of(new Example("great", 1), new Example("awful", 0)), Datasets.read(json).examples());
        write(tmp, "r.csv", "\"fine, really\";1\nbad;0\n");
        DatasetSpec csv = DatasetSpec.load(write(tmp, "c.yaml", "path: r.csv\nheader: false\ncolumns: [review, y]\n"
                + "delimiter: \";\"\ntext: review\nlabel: {column: y, names: [neg, pos]}\n"));
        assertEquals(List.of(new Example("fine, really", 1), new Example("bad", 0)), Datasets.read(csv).examples());
    }
}
