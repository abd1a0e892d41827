package io.mergelab.search;

import io.mergelab.yaml.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SearchConfigParserTest {
    @TempDir
    Path tmp;

    private static final String GOOD = """
            search:
              name: s1
              merge:
                method: dare_ties
                base_model: models/base
                models: [models/yelp, models/amazon]
                parameters: {lambda: 1.0, normalize: true}
                layer_granularity: 1
              free:
                - {param: weight, min: 0.0, max: 1.0}
                - {param: density, models: [yelp], min: 0.1, max: 1.0}
              objective:
                metric: f1_macro
                datasets:
                  - {spec: data/yelp.yaml, weight: 2}
                  - data/amazon.yaml
              budget: {candidates: 50, wall_time: 2h}
              strategy: cmaes
              cmaes: {population: 8, sigma: 0.2}
              seed: 5
              keep_best: 3
            """;

    private Path write(String name, String text) throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    @Test
    void readsEveryField() throws IOException {
        SearchConfig c = SearchConfigParser.parseFile(write("s.yaml", GOOD));
        assertEquals("s1", c.name());
        assertEquals("dare_ties", c.merge().method());
        assertEquals(List.of("yelp", "amazon"), List.copyOf(c.merge().models().keySet()));
        assertEquals(tmp.resolve("models/yelp"), c.merge().models().get("yelp"));
        assertEquals(Map.of("lambda", 1.0, "normalize", 1.0), c.merge().fixed());
        assertEquals(1, c.merge().layerGranularity());
        assertEquals(List.of("yelp"), c.free().get(1).models());
        assertEquals(2.0, c.objective().datasets().get(0).weight());
        assertEquals(tmp.resolve("data/amazon.yaml"), c.objective().datasets().get(1).spec());
        assertEquals(Duration.ofHours(2), c.budget().wallTime().orElseThrow());
        assertEquals(SearchConfig.Strategy.CMAES, c.strategy());
        assertEquals(new SearchConfig.Cmaes(8, 0.2), c.cmaes());
        assertEquals(3, c.keepBest());
        // the section's keys at the top of a file, and plain maps (as an experiment config embeds it), too
        SearchConfig top = SearchConfigParser.parseFile(write("t.yaml", GOOD.replace("search:\n", "")
                .replaceAll("(?m)^  ", "")));
        assertEquals(c, top);
    }

    @Test
    void errorsNameFileLineAndColumn() throws IOException {
        ConfigException e = assertThrows(ConfigException.class, () -> SearchConfigParser.parseFile(
                write("a.yaml", GOOD.replace("strategy: cmaes", "strategy: cmaez"))));
        assertTrue(e.getMessage().matches(".*a\\.yaml:18:13: search\\.strategy: expected grid, random or cmaes.*"),
                e.getMessage());
        e = assertThrows(ConfigException.class, () -> SearchConfigParser.parseFile(
                write("b.yaml", GOOD.replace("metric: f1_macro", "metric: f1_macro\n    split: test"))));
        assertTrue(e.getMessage().contains("b.yaml:14:12: search.objective.split: candidates are chosen on "
                + "validation data, never on 'test'"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> SearchConfigParser.parseFile(
                write("c.yaml", GOOD.replace("seed: 5", "sede: 5"))));
        assertTrue(e.getMessage().contains("c.yaml:20:3: unknown key 'search.sede'"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> SearchConfigParser.parseFile(
                write("d.yaml", GOOD.replace("min: 0.1, max: 1.0", "min: 0.1, max: 0.05"))));
        assertTrue(e.getMessage().contains("d.yaml:11:") && e.getMessage().contains("max: expected more than min"),
                e.getMessage());
        e = assertThrows(ConfigException.class, () -> SearchConfigParser.parseFile(
                write("e.yaml", GOOD.replace("[yelp]", "[imdb]"))));
        assertTrue(e.getMessage().contains("unknown model 'imdb'; expected one of yelp, amazon"), e.getMessage());
    }

    @Test
    void shippedSearchConfigsParse() {
        SearchConfig drugs = SearchConfigParser.parseFile(Path.of("experiments/drug_reviews_search.yaml"));
        assertEquals(SearchConfig.Strategy.CMAES, drugs.strategy());
        assertEquals(5, drugs.merge().models().size());
        assertEquals(20, drugs.baselines().get(0).values().size());
        SearchConfig moved = drugs.withModelDirs(n -> Path.of("/study/ft", n));
        assertEquals(Path.of("/study/ft/drug_3"), moved.merge().models().get("drug_3"));
        assertEquals(Path.of("/study/ft/base"), moved.merge().baseModel().orElseThrow());
        assertEquals(SearchConfig.Strategy.RANDOM,
                SearchConfigParser.parseFile(Path.of("configs/search/lunk_sentiment.yaml")).strategy());
        assertEquals(6, SearchConfigParser.parseFile(Path.of("configs/search/evolve_ties.yaml")).merge()
                .layerGranularity());
    }
}
