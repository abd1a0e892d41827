package io.mergelab.config;

import io.mergelab.yaml.ConfigException;

import io.mergelab.search.SearchConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The {@code search:} section of a study: read by the search grammar, tied to the study's variants and datasets. */
class StudySearchConfigTest {
    @TempDir
    Path home;

    StudyConfigParser parser;

    static final String STUDY = """
            name: s
            datasets: [yelp, amazon]
            variants:
              - {dataset: yelp, count: 2, name: "yelp_{i}"}
              - {dataset: amazon, name: amazon_0}
            merges:
              - {name: ta, method: task_arithmetic, base_model: base, models: [yelp_0, yelp_1]}
            """;

    @BeforeEach
    void setUp() throws IOException {
        Files.createDirectories(home.resolve("configs/datasets"));
        Files.writeString(home.resolve("configs/datasets/yelp.yaml"), "name: yelp\n");
        Files.writeString(home.resolve("configs/datasets/amazon.yaml"), "name: amazon\n");
        parser = new StudyConfigParser(new ConfigLayers(Map.of(), home.resolve("configs")), home);
    }

    private static String search(String models, String datasets, String extra) {
        return "search:\n"
                + "  name: tune\n"
                + "  merge: {method: task_arithmetic, base_model: base, models: " + models + "}\n"
                + "  free:\n"
                + "    - {param: weight, min: 0.0, max: 1.0}\n"
                + "  objective: {metric: accuracy, datasets: " + datasets + "}\n"
                + "  budget: {candidates: 8}\n"
                + extra;
    }

    private StudyConfig parse(String yaml, List<String> overrides) throws IOException {
        Path f = home.resolve("study.yaml");
        Files.writeString(f, yaml);
        return parser.parse(f, overrides);
    }

    private void assertError(String yaml, String expected) throws IOException {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml, List.of()));
        assertEquals(home.resolve("study.yaml") + ":" + expected, e.getMessage());
    }

    @Test
    void searchOverVariantsScoredOnStudyDatasets() throws IOException {
        StudyConfig s = parse(STUDY + search("[yelp_0, yelp_1, amazon_0]",
                "[yelp, {spec: configs/datasets/amazon.yaml, weight: 2}]", "  strategy: cmaes\n"),
                List.of("search.budget.candidates=3"));
        SearchConfig c = s.search().config();
        assertEquals(List.of("yelp_0", "yelp_1", "amazon_0"), List.copyOf(c.merge().models().keySet()));
        assertEquals("base", c.merge().baseModel().orElseThrow().getFileName().toString());
        assertEquals(List.of("yelp", "amazon"), s.search().datasets());
        assertEquals(2.0, c.objective().datasets().get(1).weight());
        assertEquals(3, c.budget().candidates(), "--set reaches the search section");
        assertEquals(SearchConfig.Strategy.CMAES, c.strategy());
        assertNull(parse(STUDY, List.of()).search());
    }

    @Test
    void modelThatIsNotAVariant() throws IOException {
        assertError(STUDY + search("[yelp_0, yelp_9]", "[yelp]", ""),
                "10:71: search.merge.models: no variant named 'yelp_9' (did you mean 'yelp_0'?); in a study the "
                        + "searched models are variants (yelp_0, yelp_1, amazon_0)");
    }

    @Test
    void baseThatIsNeitherBaseNorAVariant() throws IOException {
        assertError(STUDY + search("[yelp_0, yelp_1]", "[yelp]", "").replace("base_model: base",
                "base_model: pretrained"), "10:48: search.merge.base_model: expected 'base' (the pre-trained "
                + "model) or a variant name, got 'pretrained'");
    }

    @Test
    void objectiveDatasetOutsideTheStudy() throws IOException {
        assertError(STUDY + search("[yelp_0, yelp_1]", "[yelp, imdb]", ""),
                "13:50: search.objective.datasets[1]: 'imdb' is not a dataset of this study; expected one of "
                        + "yelp, amazon");
    }

    @Test
    void searchNamedLikeAMerge() throws IOException {
        assertError(STUDY + search("[yelp_0, yelp_1]", "[yelp]", "").replace("name: tune", "name: ta"),
                "9:9: search.name: 'ta' is already a variant or merge name (they share one name space in the "
                        + "report)");
    }

    @Test
    void searchGrammarErrorsKeepTheirPosition() throws IOException {
        assertError(STUDY + search("[yelp_0, yelp_1]", "[yelp]", "  strategy: annealing\n"),
                "15:13: search.strategy: expected grid, random or cmaes, got 'annealing'");
        assertError(STUDY + search("[yelp_0, yelp_1]", "[yelp]", "  keep_best: 0\n"),
                "15:14: search.keep_best: expected at least 1 in a study (the best checkpoint is evaluated on "
                        + "test by the study)");
    }
}
