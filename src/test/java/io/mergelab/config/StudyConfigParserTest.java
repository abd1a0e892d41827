package io.mergelab.config;

import io.mergelab.yaml.ConfigException;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Valid studies parse into the expected records; the seed study's shape is read as a study. */
class StudyConfigParserTest {
    @TempDir
    Path home;

    StudyConfigParser parser;

    @BeforeEach
    void setUp() throws IOException {
        Files.createDirectories(home.resolve("configs/datasets"));
        Files.writeString(home.resolve("configs/datasets/yelp.yaml"), "name: yelp\n");
        Files.writeString(home.resolve("configs/datasets/drugs.yaml"), "name: drugs\n");
        Files.writeString(home.resolve("configs/datasets/imdb.yaml"), "name: imdb\n");
        parser = new StudyConfigParser(new ConfigLayers(Map.of("DATA", home.toString()), home.resolve("configs")), home);
    }

    Path write(String name, String yaml) throws IOException {
        Path f = home.resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void readsAFullStudyWithGeneratedVariantsMergesAndASweepGrid() throws IOException {
        Path f = write("study.yaml", """
                name: drug_study
                seeds: [1, 2]
                base_model: {preset: tiny}
                datasets: [drugs]
                variants:
                  - {dataset: drugs, count: 3, name: "drug_{i}"}
                training_args: {learning_rate: 2e-5, num_train_epochs: 1, per_device_train_batch_size: 8}
                merges:
                  - name: ties_v0
                    merge_method: ties
                    base_model: drug_0
                    models:
                      - {model: drug_1, parameters: {weight: 0.2, density: 0.9}}
                      - drug_2
                sweeps:
                  - name: grid
                    methods: [linear, dare_ties]
                    models: [drug_0, drug_1, drug_2]
                    base_model: base
                    density: [0.5, 0.9]
                    weight: [0.2, 0.5]
                executor: {parallelism: 2}
                """);
        StudyConfig s = parser.parse(f, List.of());
        assertEquals("drug_study", s.name());
        assertEquals(List.of(1L, 2L), s.seeds());
        assertEquals(List.of("drug_0", "drug_1", "drug_2"), s.variants().stream().map(StudyConfig.Variant::name).toList());
        assertEquals(2, s.variants().get(2).sliceIndex());
        assertEquals(3, s.variants().get(2).sliceCount());
        assertEquals(2e-5, (Double) s.trainingArgs().get("learning_rate"), 0);
        // 1 explicit + linear (2 weights, density unused) + dare_ties (2 densities x 2 weights)
        assertEquals(1 + 2 + 4, s.merges().size());
        StudyConfig.MergeSpec point = s.merges().stream().filter(m -> m.name().equals("grid-dare_ties-d0.5-w0.2"))
                .findFirst().orElseThrow();
        assertEquals("base", point.baseModel());
        assertEquals(0.5, point.parameters().get("density"));
        assertEquals(0.2, point.models().get(0).parameters().get("weight"));
        assertEquals(2, s.executor().parallelism());
        assertEquals("test", s.report().split());
    }

    @Test
    void readsTheSeedStudysShapeAsItIs() throws IOException {
        Path f = write("001_seed.yaml", """
                # An example config file

                config:
                  dataset:
                    name: "imdb"
                  model:
                    name: "openai-community/gpt2"
                    num_labels: 2
                  training_args:
                    output_dir: "imdb_finetune_gpt2_test_epoch_1_with_prob_1_merge_output"
                    learning_rate: 2e-5
                    per_device_train_batch_size: 8
                    per_device_eval_batch_size: 8
                    num_train_epochs: 1
                    weight_decay: 0.01
                    evaluation_strategy: "epoch"
                    save_strategy: "epoch"
                    load_best_model_at_end: true
                    push_to_hub: true
                    hub_model_id: "imdb_finetune_gpt2_test_epoch_1_with_prob_1_merge_output"
                  mergekit_config:
                    models:
                      - model: gpt2_f_experiment_0_drug_data
                        parameters:
                  # any other specifications you want
                """);
        StudyConfig s = parser.parse(f, List.of());
        assertEquals("001_seed", s.name());
        assertEquals("imdb", s.datasets().get(0).name());
        assertEquals("openai-community/gpt2", s.baseModel().hubId(), "no local gpt2: the hub id, for the cache");
        assertEquals(List.of("gpt2_f_experiment_0_drug_data"), s.variants().stream().map(StudyConfig.Variant::name).toList());
        assertEquals("linear", s.merges().get(0).method());
        assertTrue(!s.trainingArgs().containsKey("push_to_hub") && !s.trainingArgs().containsKey("output_dir"));
        assertEquals("epoch", s.trainingArgs().get("evaluation_strategy"));
        assertTrue(s.notes().stream().anyMatch(n -> n.contains("push_to_hub ignored")), s.notes().toString());
        assertTrue(s.notes().stream().anyMatch(n -> n.contains("merging with 'linear'")));
    }

    @Test
    void extendsPresetsDeepMergesWithTheExtendingFileWinning() throws IOException {
        write("configs/presets/cpu.yaml", """
                base_model: {preset: tiny}
                training_args: {learning_rate: 0.001, num_train_epochs: 2}
                executor: {parallelism: 1}
                """);
        Path f = write("exp/study.yaml", """
                extends: presets/cpu.yaml
                name: s
                datasets: [yelp]
                training_args: {num_train_epochs: 3}
                """);
        StudyConfig s = parser.parse(f, List.of());
        assertEquals(0.001, s.trainingArgs().get("learning_rate"));
        assertEquals(3.0, s.trainingArgs().get("num_train_epochs"));
        assertEquals(1, s.executor().parallelism());
    }

    @Test
    void setOverridesAndEnvironmentVariablesApplyBeforeValidation() throws IOException {
        Files.createDirectories(home.resolve("models/m"));
        Files.writeString(home.resolve("models/m/config.json"), "{}");
        Path f = write("study.yaml", """
                name: s
                base_model: {path: "${DATA}/models/m"}
                datasets: [yelp, drugs]
                variants:
                  - {name: a, dataset: yelp}
                  - {name: b, dataset: drugs, slice: 1/2}
                """);
        StudyConfig s = parser.parse(f, List.of("training_args.learning_rate=1e-4", "variants.1.seed=9",
                "executor.parallelism=3"));
        assertEquals(home.resolve("models/m"), s.baseModel().path());
        assertEquals(1e-4, s.trainingArgs().get("learning_rate"));
        assertEquals(9, s.variant("b").seed());
        assertEquals(1, s.variant("b").sliceIndex());
        assertEquals(3, s.executor().parallelism());
    }

    /** The config judges training arguments with TrainingArgs' table: what one accepts, the other does. */
    @Test
    void trainingArgsAreJudgedByTheOneTableOfSettings() throws IOException {
        Path f = write("study.yaml", """
                name: s
                datasets: [yelp]
                training_args: {lr: 1.0e-3, warmup_steps: 0.1, num_train_epochs: 0, max_steps: 20, weight_decay: 2,
                                eval_strategy: no, fp16: true, optim: adamw_torch}
                variants:
                  - {name: a, dataset: yelp, training_args: {learning_rate: 2.0e-3}}
                """);
        StudyConfig s = parser.parse(f, List.of("training_args.evaluation_strategy=epoch"));
        // formerly refused by the config (warmup ratio, epochs 0 with max_steps, weight_decay above 1) though valid
        assertEquals(0.1, s.trainingArgs().get("warmup_steps"));
        assertEquals(0.0, s.trainingArgs().get("num_train_epochs"));
        assertEquals(2.0, s.trainingArgs().get("weight_decay"));
        // one spelling per argument: --set's alias replaces the file's name, a variant's name the study's alias
        assertEquals("epoch", s.trainingArgs().get("evaluation_strategy"));
        assertTrue(!s.trainingArgs().containsKey("eval_strategy"), s.trainingArgs().toString());
        assertEquals(2.0e-3, s.variant("a").trainingArgs().get("learning_rate"));
        assertTrue(!s.variant("a").trainingArgs().containsKey("lr"), s.variant("a").trainingArgs().toString());
        // arguments with no effect are dropped (not part of a step's identity) with a note saying why
        assertTrue(!s.trainingArgs().containsKey("fp16") && !s.trainingArgs().containsKey("optim"));
        assertTrue(s.notes().stream().anyMatch(n -> n.contains("training_args.fp16 ignored: training computes in "
                + "fp32")), s.notes().toString());
        // formerly accepted by the config, then refused when planning
        ConfigException e = assertThrows(ConfigException.class, () -> parser.parse(f,
                List.of("training_args.max_seq_length=64")));
        assertTrue(e.getMessage().endsWith("unknown training argument 'max_seq_length' (did you mean "
                + "'max_length'?)"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> parser.parse(f, List.of("training_args.optim=sgd")));
        assertTrue(e.getMessage().contains("training_args.optim: not supported: the optimizer is torch's AdamW"),
                e.getMessage());
    }

    @Test
    void withoutVariantsEachDatasetGetsOneFullDataVariant() throws IOException {
        Path f = write("study.yaml", "name: s\ndatasets: [yelp, {name: drugs}]\n");
        StudyConfig s = parser.parse(f, List.of());
        assertEquals(List.of("yelp", "drugs"), s.variants().stream().map(StudyConfig.Variant::name).toList());
        assertEquals(0, s.variant("yelp").sliceCount());
        assertEquals("tiny", s.baseModel().preset());
    }

    @Test
    void aMissingFileIsAOneLineError() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> parser.parse(home.resolve("nope.yaml"), List.of()));
        assertEquals(home.resolve("nope.yaml") + ": no such file", e.getMessage());
    }
}
