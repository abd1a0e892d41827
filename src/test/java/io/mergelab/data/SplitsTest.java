package io.mergelab.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.mergelab.data.TableReaderTest.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Seeded, stratified splits, max_samples and given files. */
class SplitsTest {

    /** 300 examples: class 0 ×200, class 1 ×70, class 2 ×30, texts unique. */
    static Path skewed(Path dir) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            sb.append("text number ").append(i).append('\t').append(i < 200 ? 0 : i < 270 ? 1 : 2).append('\n');
        }
        return write(dir, "skewed.txt", sb.toString());
    }

    static DatasetSpec spec(Path dir, String extra) throws Exception {
        return DatasetSpec.load(write(dir, "s.yaml", "path: skewed.txt\nlabel: {names: [a, b, c]}\n" + extra));
    }

    @Test
    void sameSeedSameSplitsOtherSeedOtherSplits(@TempDir Path tmp) throws Exception {
        skewed(tmp);
        DatasetSpec s = spec(tmp, "");
        DatasetSplits a = Datasets.prepare(s, 7);
        assertEquals(a, Datasets.prepare(s, 7));
        assertEquals(a, Datasets.prepare(DatasetSpec.load(tmp.resolve("s.yaml")), 7));
        DatasetSplits b = Datasets.prepare(s, 8);
        assertNotEquals(a.test(), b.test());
        // the split covers the data exactly once
        Set<Example> all = new HashSet<>(a.all());
        assertEquals(300, all.size());
        assertEquals(300, a.all().size());
    }

    @Test
    void stratifiedSplitKeepsClassShares(@TempDir Path tmp) throws Exception {
        skewed(tmp);
        for (long seed : new long[] {1, 2, 3}) {
            DatasetSplits s = Datasets.prepare(spec(tmp, ""), seed);
            assertArrayEquals(new int[] {20, 7, 3}, s.classCounts(s.validation()));
            assertArrayEquals(new int[] {40, 14, 6}, s.classCounts(s.test()));
            assertArrayEquals(new int[] {140, 49, 21}, s.classCounts(s.train()));
        }
        DatasetSplits plain = Datasets.prepare(spec(tmp, "split: {validation: 0.1, test: 0.2, stratify: false}\n"), 1);
        assertEquals(List.of(210, 30, 60), List.of(plain.train().size(), plain.validation().size(), plain.test().size()));
    }

    @Test
    void splitSeedInTheSpecPinsTheSplit(@TempDir Path tmp) throws Exception {
        skewed(tmp);
        DatasetSpec s = spec(tmp, "split: {validation: 0.1, test: 0.2, seed: 5}\n");
        assertEquals(Datasets.prepare(s, 1), Datasets.prepare(s, 2));
        assertEquals(Datasets.prepare(s, 1), Datasets.prepare(spec(tmp, ""), 5));
    }

    @Test
    void maxSamplesIsAStratifiedSeededCap(@TempDir Path tmp) throws Exception {
        skewed(tmp);
        DatasetSpec s = spec(tmp, "max_samples: 100\nsplit: {validation: 0, test: 0.2}\n");
        DatasetSplits d = Datasets.prepare(s, 3);
        assertArrayEquals(new int[] {67, 23, 10}, d.classCounts(d.all()));
        assertEquals(80, d.train().size());
        assertEquals(0, d.validation().size());
        assertEquals(d, Datasets.prepare(s, 3));
    }

    @Test
    void givenFilesAndAValidationFractionCarvedFromTrain(@TempDir Path tmp) throws Exception {
        skewed(tmp);
        write(tmp, "test.txt", "t0\t0\nt1\t1\nt2\t2\n");
        DatasetSpec s = DatasetSpec.load(write(tmp, "f.yaml",
                "label: {names: [a, b, c]}\nsplit: {files: {train: skewed.txt, test: test.txt}, validation: 0.1}\n"));
        DatasetSplits d = Datasets.prepare(s, 1);
        assertEquals(3, d.test().size());
        assertEquals(Set.of("t0", "t1", "t2"), new HashSet<>(d.test().stream().map(Example::text).toList()));
        assertArrayEquals(new int[] {20, 7, 3}, d.classCounts(d.validation()));
        assertEquals(270, d.train().size());
    }

    @Test
    void aTinyClassKeepsATrainingExample(@TempDir Path tmp) throws Exception {
        write(tmp, "t.txt", "a\t0\nb\t0\nc\t0\nd\t0\ne\t0\nf\t0\ng\t0\nh\t0\ni\t0\nonly\t1\n");
        DatasetSpec s = DatasetSpec.load(write(tmp, "t.yaml", "path: t.txt\nlabel: {names: [x, y]}\nsplit: {validation: 0.2, test: 0.2}\n"));
        for (long seed = 0; seed < 5; seed++) {
            DatasetSplits d = Datasets.prepare(s, seed);
            assertEquals(1, d.classCounts(d.train())[1]);
        }
    }

    @Test
    void trainOrderMixesClasses(@TempDir Path tmp) throws Exception {
        skewed(tmp);
        List<Example> train = Datasets.prepare(spec(tmp, ""), 1).train();
        List<Integer> firstLabels = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            firstLabels.add(train.get(i).label());
        }
        assertTrue(new HashSet<>(firstLabels).size() > 1, "shuffled, not grouped by class: " + firstLabels);
    }
}
