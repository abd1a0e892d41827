package io.mergelab.pipeline;

import io.mergelab.yaml.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where a study's search goes in its DAG, and what is refused before any work (nothing runs here). */
class StudySearchPlanTest {
    static final Path HOME = Path.of("").toAbsolutePath();
    final Studies studies = Studies.standard(HOME);

    @TempDir
    Path dir;

    static final String STUDY = """
            name: planned
            base_model: {preset: tiny}
            datasets: [yelp, amazon]
            variants:
              - {dataset: yelp, count: 2, name: "yelp_{i}"}
              - {dataset: amazon, name: amazon_0}
            search:
              name: tune
              merge: {method: ties, base_model: base, models: [yelp_0, amazon_0], layer_granularity: 1}
              free:
                - {param: weight, min: 0.0, max: 1.0}
                - {param: density, min: 0.2, max: 1.0}
              objective: {metric: accuracy, datasets: [yelp, amazon]}
              budget: {candidates: 4}
              baselines:
                fixed: {weight.yelp_0.layers_0_0: 0.5, weight.amazon_0.layers_0_0: 0.5,
                        weight.yelp_0.layers_1_1: 0.5, weight.amazon_0.layers_1_1: 0.5,
                        density.yelp_0.layers_0_0: 0.9, density.amazon_0.layers_0_0: 0.9,
                        density.yelp_0.layers_1_1: 0.9, density.amazon_0.layers_1_1: 0.9}
            evaluate: {splits: [validation, test], baselines: false}
            """;

    private Plan plan(String yaml, String... overrides) throws IOException {
        Path f = Files.writeString(dir.resolve("planned.yaml"), yaml);
        return studies.plan(studies.load(f, List.of(overrides)));
    }

    @Test
    void theSearchRunsAfterItsFineTunesAndItsBestModelIsEvaluatedOnEachDatasetWithItsHead() throws IOException {
        Plan p = plan(STUDY);
        Map<String, Step> byLabel = p.steps().stream().collect(Collectors.toMap(Step::label, Function.identity()));
        Step search = byLabel.get("search tune");
        assertEquals("search", search.kind());
        assertEquals(Set.of(byLabel.get("finetune yelp_0").id(), byLabel.get("finetune amazon_0").id(),
                byLabel.get("base model tiny").id(), byLabel.get("data yelp").id(), byLabel.get("data amazon").id()),
                Set.copyOf(search.deps()));
        assertTrue(search.action().resumable(), "a killed search continues from its journal");
        for (String ds : List.of("yelp", "amazon")) {
            for (String split : List.of("validation", "test")) {
                Step e = byLabel.get("evaluate tune on " + ds + "/" + split);
                assertTrue(e.deps().contains(search.id()), e.label());
                assertTrue(e.deps().contains(byLabel.get("finetune " + ds + "_0").id()), "head of " + ds);
                assertEquals("merge", e.meta().get("role"));
            }
        }
        assertTrue(p.steps().get(p.steps().size() - 1).deps().contains(byLabel.get("evaluate tune on yelp/test").id()));
        // the search's id follows its section: a bigger budget is a new search, the variants' steps stay
        Plan more = plan(STUDY, "search.budget.candidates=8");
        Map<String, Step> again = more.steps().stream().collect(Collectors.toMap(Step::label, Function.identity()));
        assertTrue(!again.get("search tune").id().equals(search.id()));
        assertEquals(byLabel.get("finetune yelp_0").id(), again.get("finetune yelp_0").id());
    }

    @Test
    void aSearchThatCannotRunIsRefusedBeforeAnyWork() throws IOException {
        String bad = STUDY.replace("layer_granularity: 1", "layer_granularity: 3");
        ConfigException e = assertThrows(ConfigException.class, () -> plan(bad));
        assertTrue(e.getMessage().matches(".*planned\\.yaml:8:3: search\\.merge\\.layer_granularity: 3 does not "
                + "divide n_layer 2 of the base model \\(factory preset tiny.*"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> plan(STUDY.replace("param: density", "param: densty")));
        assertTrue(e.getMessage().contains("search.free: unknown parameter 'densty' for merge_method ties"),
                e.getMessage());
        e = assertThrows(ConfigException.class, () -> plan(STUDY.replace("density.amazon_0.layers_1_1: 0.9", "")));
        assertTrue(e.getMessage().contains("search.baselines.fixed: missing dimension 'density.amazon_0.layers_1_1'"),
                e.getMessage());

        // TIES needs a weight per model: searched for some models only, or not at all, every candidate would fail
        String densityOnly = STUDY.replace("    - {param: weight, min: 0.0, max: 1.0}\n", "")
                .replaceAll("(?s)  baselines:.*?}\n", "");
        e = assertThrows(ConfigException.class, () -> plan(densityOnly));
        assertTrue(e.getMessage().contains("search: merge_method ties needs 'weight', which nothing gives yelp_0, "
                + "amazon_0: search it"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> plan(STUDY.replace("{param: weight, min", "{param: weight, "
                + "models: [yelp_0], min").replaceAll("(?s)  baselines:.*?}\n", "")));
        assertTrue(e.getMessage().contains("needs 'weight', which nothing gives amazon_0:"), e.getMessage());
        // fixed under search.merge.parameters, the search is fine
        assertTrue(plan(densityOnly.replace("layer_granularity: 1}", "layer_granularity: 1, parameters: {weight: 0.5}}"))
                .steps().stream().anyMatch(s -> s.kind().equals("search")));
    }
}
