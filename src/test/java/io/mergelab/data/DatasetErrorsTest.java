package io.mergelab.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.mergelab.data.TableReaderTest.write;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every bad input fails with one line naming the file (with line:column or record) and the field or column. */
class DatasetErrorsTest {

    static String error(Runnable r) {
        DatasetException e = assertThrows(DatasetException.class, r::run);
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "expected '" + p + "' in: " + message);
        }
    }

    @Test
    void badYamlNamesFileLineAndColumn(@TempDir Path tmp) throws Exception {
        Path spec = write(tmp, "bad.yaml", "name: x\n  path: [a.txt\n");
        assertContains(error(() -> DatasetSpec.load(spec)), spec + ":2:7: bad YAML");
        Path dup = write(tmp, "dup.yaml", "name: x\nname: y\n");
        assertContains(error(() -> DatasetSpec.load(dup)), dup.toString(), "bad YAML", "duplicate key name");
        Path list = write(tmp, "list.yaml", "- a\n- b\n");
        assertContains(error(() -> DatasetSpec.load(list)), list + ":1:1: a dataset spec must be a YAML mapping");
        Path empty = write(tmp, "empty.yaml", "");
        assertContains(error(() -> DatasetSpec.load(empty)), empty + ": empty dataset spec");
        Path none = tmp.resolve("none.yaml");
        assertContains(error(() -> DatasetSpec.load(none)), none + ": dataset spec not found");
    }

    @Test
    void badFieldsNameTheFieldWithItsPosition(@TempDir Path tmp) throws Exception {
        Path typo = write(tmp, "typo.yaml", "name: x\npath: a.txt\nlabel:\n  names: [n, p]\n  colum: label\n");
        assertContains(error(() -> DatasetSpec.load(typo)), typo + ":5:10: label.colum: unknown field (did you mean 'column'?)");
        Path transform = write(tmp, "t.yaml", "path: a.tsv\nlabel:\n  transform: \"rating * 2\"\n  num_labels: 3\n");
        assertContains(error(() -> DatasetSpec.load(transform)), transform + ":3:14: label.transform: cannot parse \"rating * 2\"");
        Path names = write(tmp, "n.yaml", "path: a.tsv\nlabel: {column: rating}\n");
        assertContains(error(() -> DatasetSpec.load(names)), names + ":2:8: label.names: missing");
        Path fraction = write(tmp, "f.yaml", "path: a.txt\nlabel: {names: [n, p]}\nsplit: {validation: 100}\n");
        assertContains(error(() -> DatasetSpec.load(fraction)), fraction + ":3:21: split.validation: expected a fraction in [0, 1)");
        Path format = write(tmp, "fmt.yaml", "path: a.dat\nlabel: {names: [n, p]}\n");
        assertContains(error(() -> DatasetSpec.load(format)), format + ":1:1: format: missing and not implied");
        Path bins = write(tmp, "b.yaml", "path: a.tsv\nlabel:\n  column: r\n  bins: [[1, 5], [5, 10]]\n");
        assertContains(error(() -> DatasetSpec.load(bins)), bins + ":4:18: label.bins[1]: overlaps bin 0 [1,5]");
        Path filter = write(tmp, "fl.yaml", "path: a.txt\nlabel: {names: [n, p]}\nfilters:\n  - {column: text}\n");
        assertContains(error(() -> DatasetSpec.load(filter)), filter + ":4:5: filters[0]: no condition");
        assertContains(error(() -> DatasetSpec.fromMap(Map.of("path", "a.txt", "label", Map.of("names", "n")),
                tmp.resolve("exp.yaml"), "dataset.")), tmp.resolve("exp.yaml") + ": dataset.label.names: expected a list");
    }

    @Test
    void missingDataFileListsWhereItLooked(@TempDir Path tmp) throws Exception {
        Path spec = write(tmp, "s.yaml", "name: s\npath: nope.txt\nlabel: {names: [n, p]}\n");
        DatasetSpec s = DatasetSpec.load(spec);
        assertContains(error(() -> Datasets.prepare(s, 1)), spec + ":2:7: path: data file not found: nope.txt (looked in ["
                + tmp.resolve("nope.txt"));
    }

    @Test
    void missingColumnListsTheAvailableColumns(@TempDir Path tmp) throws Exception {
        Path data = write(tmp, "d.tsv", "\treview\trating\n1\tok\t3\n");
        Path spec = write(tmp, "s.yaml", "path: d.tsv\ntext: \"{condition}: {review}\"\nlabel: {column: rating, transform: rating - 1, num_labels: 10}\n");
        assertContains(error(() -> Datasets.prepare(DatasetSpec.load(spec), 1)),
                data + ": no column 'condition' (named by " + spec + ":2:7: text); available columns: [column1, review, rating]");
        Path label = write(tmp, "l.yaml", "path: d.tsv\ntext: review\nlabel: {column: stars, num_labels: 10}\n");
        assertContains(error(() -> Datasets.prepare(DatasetSpec.load(label), 1)),
                data + ": no column 'stars' (named by " + label + ":3:17: label.column)", "[column1, review, rating]");
    }

    @Test
    void labelOutsideTheLabelSpaceShowsValueAndRow(@TempDir Path tmp) throws Exception {
        Path data = write(tmp, "d.tsv", "review\trating\n\"a\"\t3\n\"multi\nline\"\t10\n\"c\"\t11\n");
        Path spec = write(tmp, "s.yaml", "path: d.tsv\ntext: review\nlabel:\n  transform: rating - 1\n"
                + "  names: [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\"]\n");
        assertContains(error(() -> Datasets.prepare(DatasetSpec.load(spec), 1)),
                data + ": record 3 (line 5), column 'rating': value '11' gives label 10, outside the label space 0..9",
                spec + ":4:14: label.transform");
        Path map = write(tmp, "m.yaml", "path: d.tsv\ntext: review\nlabel: {column: rating, map: {\"3\": 0, \"10\": 1}}\n");
        assertContains(error(() -> Datasets.prepare(DatasetSpec.load(map), 1)),
                data + ": record 3 (line 5), column 'rating': value '11' is not a key of label.map");
        Path text = write(tmp, "t.txt", "fine\t1\nodd\tmaybe\n");
        Path identity = write(tmp, "i.yaml", "path: t.txt\nlabel: {names: [neg, pos]}\n");
        assertContains(error(() -> Datasets.prepare(DatasetSpec.load(identity), 1)),
                text + ": record 2 (line 2), column 'label': value 'maybe' is neither a label name [neg, pos] nor a label id 0..1");
    }

    @Test
    void emptySplitsAndFilesFailClearly(@TempDir Path tmp) throws Exception {
        write(tmp, "few.txt", "a\t0\nb\t1\nc\t0\nd\t1\n");
        Path tiny = write(tmp, "tiny.yaml", "path: few.txt\nlabel: {names: [n, p]}\nsplit: {validation: 0.05, test: 0.5}\n");
        assertContains(error(() -> Datasets.prepare(DatasetSpec.load(tiny), 1)),
                tiny + ":3:21: split.validation: a fraction 0.05 of 4 examples leaves the validation split empty");
        write(tmp, "empty.txt", "\n");
        Path empty = write(tmp, "e.yaml", "path: empty.txt\nlabel: {names: [n, p]}\n");
        assertContains(error(() -> Datasets.prepare(DatasetSpec.load(empty), 1)), tmp.resolve("empty.txt") + ": no examples (no data rows)");
        Path filtered = write(tmp, "fl.yaml", "path: few.txt\nlabel: {names: [n, p]}\nfilters: [{column: text, in: [zzz]}]\n");
        assertContains(error(() -> Datasets.prepare(DatasetSpec.load(filtered), 1)),
                tmp.resolve("few.txt") + ": no examples left: all 4 rows were dropped by the filters [" + filtered + ":3:10: filters]");
        write(tmp, "header-only.csv", "text,label\n");
        Path testFile = write(tmp, "tf.yaml", "label: {names: [n, p]}\nsplit: {files: {train: few.txt, test: header-only.csv}}\nformat: text-label\n");
        assertContains(error(() -> Datasets.prepare(DatasetSpec.load(testFile), 1)), tmp.resolve("header-only.csv").toString());
    }

    @Test
    void aClassWithNoTrainingExampleIsAnError(@TempDir Path tmp) throws Exception {
        write(tmp, "two.txt", "a\t0\nb\t0\nc\t1\n");
        Path spec = write(tmp, "s.yaml", "path: two.txt\nlabel:\n  names: [neg, pos, neutral]\nsplit: {validation: 0, test: 0}\n");
        assertContains(error(() -> Datasets.prepare(DatasetSpec.load(spec), 1)),
                spec + ":3:10: label.names: class 'neutral' (id 2) has no training example (" + tmp.resolve("two.txt") + " has 0");
    }
}
