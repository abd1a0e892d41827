package io.mergelab.data;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every spec in configs/datasets loads and prepares the shipped data with the expected sizes and classes. */
class ShippedDatasetsTest {

    static final Path SPECS = Path.of("configs/datasets");

    @Test
    void everyShippedSpecLoadsAndPrepares() throws Exception {
        List<Path> specs;
        try (Stream<Path> s = Files.list(SPECS)) {
            specs = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertEquals(List.of("amazon.yaml", "drugs-3class.yaml", "drugs.yaml", "imdb.yaml", "yelp.yaml"),
                specs.stream().map(p -> p.getFileName().toString()).toList());
        for (Path p : specs) {
            DatasetSplits s = Datasets.prepare(DatasetSpec.load(p), 42);
            assertEquals(700, s.train().size(), p.toString());
            assertEquals(100, s.validation().size(), p.toString());
            assertEquals(200, s.test().size(), p.toString());
        }
    }

    @ParameterizedTest
    @CsvSource({"yelp", "imdb", "amazon"})
    void sentenceSetsAreBalancedBinary(String name) {
        DatasetSpec spec = DatasetSpec.load(SPECS.resolve(name + ".yaml"));
        assertEquals(name, spec.name());
        assertEquals(List.of("negative", "positive"), spec.labels());
        DatasetSplits s = Datasets.prepare(spec, 42);
        assertArrayEquals(new int[] {500, 500}, s.classCounts(s.all()));
        assertArrayEquals(new int[] {350, 350}, s.classCounts(s.train()));
        assertArrayEquals(new int[] {50, 50}, s.classCounts(s.validation()));
        assertArrayEquals(new int[] {100, 100}, s.classCounts(s.test()));
    }

    @Test
    void yelpFirstLineIsReadAsWritten() {
        List<Example> all = Datasets.read(DatasetSpec.load(SPECS.resolve("yelp.yaml"))).examples();
        assertEquals(new Example("Wow... Loved this place.", 1), all.get(0));
        assertEquals(new Example("Crust is not good.", 0), all.get(1));
    }

    @Test
    void drugsIsTenClassRatingMinusOneWithCleanText() {
        DatasetSpec spec = DatasetSpec.load(SPECS.resolve("drugs.yaml"));
        assertEquals(10, spec.labels().size());
        Datasets.LoadedFile f = Datasets.read(spec);
        assertEquals(1000, f.examples().size());
        // rating counts of the sample: 1:138 2:43 3:43 4:31 5:54 6:45 7:53 8:120 9:160 10:313
        assertArrayEquals(new int[] {138, 43, 43, 31, 54, 45, 53, 120, 160, 313}, Datasets.classCounts(f.examples(), 10));
        Example first = f.examples().get(0);
        assertEquals(new Example("It has no side effect, I take it in combination of Bystolic 5 Mg and Fish Oil", 8), first);
        for (Example e : f.examples()) {
            assertFalse(e.text().contains("&#039;") || e.text().contains("&quot;") || e.text().contains("&amp;"), e.text());
            assertFalse(e.text().startsWith("\"") && e.text().endsWith("\""), e.text());
        }
        assertTrue(f.examples().get(2).text().contains("it's the end of the third week"), f.examples().get(2).text());
        assertTrue(f.examples().stream().anyMatch(e -> e.text().contains("\n")), "multi-line reviews keep their lines");
        DatasetSplits s = Datasets.prepare(spec, 42);
        assertArrayEquals(new int[] {96, 30, 31, 22, 37, 31, 38, 84, 112, 219}, s.classCounts(s.train()));
        assertEquals(Arrays.stream(s.classCounts(s.test())).sum(), 200);
    }

    @Test
    void drugsThreeClassBinsTheRating() {
        DatasetSpec spec = DatasetSpec.load(SPECS.resolve("drugs-3class.yaml"));
        assertEquals(List.of("negative", "neutral", "positive"), spec.labels());
        DatasetSplits s = Datasets.prepare(spec, 42);
        // 1-4: 138+43+43+31, 5-6: 54+45, 7-10: 53+120+160+313
        assertArrayEquals(new int[] {255, 99, 646}, s.classCounts(s.all()));
        assertArrayEquals(new int[] {51, 20, 129}, s.classCounts(s.test()));
    }
}
