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
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Every kind of invalid study is refused before any work with one line: {@code file:line:column: what was expected}.
 * Each test names the kind; the expected line and column point at the offending value (or key).
 */
class InvalidConfigTest {
    @TempDir
    Path home;

    StudyConfigParser parser;

    @BeforeEach
    void setUp() throws IOException {
        Files.createDirectories(home.resolve("configs/datasets"));
        Files.writeString(home.resolve("configs/datasets/yelp.yaml"), "name: yelp\n");
        Files.writeString(home.resolve("configs/datasets/drugs.yaml"), "name: drugs\n");
        parser = new StudyConfigParser(new ConfigLayers(Map.of(), home.resolve("configs")), home);
    }

    private void assertError(String yaml, String expected) throws IOException {
        assertError(yaml, List.of(), expected);
    }

    private void assertError(String yaml, List<String> overrides, String expected) throws IOException {
        Path f = home.resolve("study.yaml");
        Files.writeString(f, yaml);
        ConfigException e = assertThrows(ConfigException.class, () -> parser.parse(f, overrides));
        assertEquals(expected.startsWith("--set") ? expected : f + ":" + expected, e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), "one line");
    }

    @Test
    void aConfigThatIsNotUtf8TextSaysWhatIsWrongAndWhere() throws IOException {
        Path f = home.resolve("study.yaml");
        Files.write(f, "name: caf\u00e9\ndatasets: [yelp]\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        ConfigException e = assertThrows(ConfigException.class, () -> parser.parse(f, List.of()));
        assertEquals(f + ":1:10: not UTF-8 text: byte 0xE9 cannot start or continue a character; save the file as "
                + "UTF-8", e.getMessage());
        Files.write(f, new byte[] {'P', 'K', 3, 4, 0, 0, 1});
        e = assertThrows(ConfigException.class, () -> parser.parse(f, List.of()));
        assertEquals(f + ":1:5: a binary file (NUL byte), not YAML text: is this the study config?", e.getMessage());
    }

    @Test
    void deviceAndPrecisionAreCheckedWhereTheyAreWritten() throws IOException {
        assertError("name: s\ndatasets: [yelp]\ndevice: tpu\n", "3:9: device: expected auto, cpu, cuda or cuda:N, got 'tpu'");
        assertError("name: s\ndatasets: [yelp]\nprecision: fp8\n",
                "3:12: precision: unknown value 'fp8' (did you mean 'fp32'?); expected one of fp32, fp16, bf16");
        Path f = home.resolve("study.yaml");
        Files.writeString(f, "name: s\ndatasets: [yelp]\ndevice: CUDA:1\nprecision: bf16\n");
        StudyConfig s = parser.parse(f, List.of());
        assertEquals(new StudyConfig.Compute("cuda:1", "bf16", s.compute().mark()), s.compute());
        assertEquals("device (" + f + ":3:9)", s.compute().where());
        assertEquals(2, s.compute().gpusNeeded(), "cuda:1 needs two visible GPUs");
        assertEquals(0, parser.parse(f, List.of("device=cpu")).compute().gpusNeeded());
        assertEquals(1, parser.parse(f, List.of("device=gpu")).compute().gpusNeeded());
        Files.writeString(f, "name: s\ndatasets: [yelp]\n");
        assertEquals("auto", parser.parse(f, List.of()).compute().device());
        assertEquals("fp32", parser.parse(f, List.of()).compute().precision());
    }

    @Test
    void baseModelNamesAHubIdWhenNoLocalDirectoryHasIt() throws IOException {
        Path f = home.resolve("study.yaml");
        Files.writeString(f, "name: s\ndatasets: [yelp]\nbase_model: openai-community/gpt2@main\n");
        StudyConfig s = parser.parse(f, List.of());
        assertEquals("openai-community/gpt2@main", s.baseModel().hubId());
        assertEquals(false, s.baseModel().isPreset());
        assertError("name: s\ndatasets: [yelp]\nbase_model: {name: ./models/mine}\n",
                "3:20: base_model.name: no model directory ./models/mine (a path goes in base_model.path; name takes "
                        + "a hub id such as openai-community/gpt2)");
    }

    @Test
    void yamlSyntaxError() throws IOException {
        assertError("name: s\ndatasets: [yelp\nseed: 1\n",
                "3:5: invalid YAML: expected ',' or ']', but got :");
    }

    @Test
    void duplicateKey() throws IOException {
        assertError("name: s\ndatasets: [yelp]\nname: t\n", "3:1: duplicate key 'name' (first at line 1)");
    }

    @Test
    void unknownTopLevelKeyWithHint() throws IOException {
        assertError("name: s\ndatasets: [yelp]\nmerge:\n  - {method: linear, models: [yelp]}\n",
                "3:1: unknown key 'merge' (did you mean 'merges'?); expected one of " + String.join(", ",
                        StudyConfigParser.TOP_KEYS));
    }

    @Test
    void wrongTypeForName() throws IOException {
        assertError("name: [a, b]\ndatasets: [yelp]\n", "1:7: expected a string, got a list".replace("expected",
                "name: expected"));
    }

    @Test
    void seedNotAnInteger() throws IOException {
        assertError("name: s\nseed: forty\ndatasets: [yelp]\n", "2:7: seed: expected an integer, got a string 'forty'");
    }

    @Test
    void unknownBaseModelPreset() throws IOException {
        assertError("name: s\nbase_model:\n  preset: huge\ndatasets: [yelp]\n",
                "3:11: base_model.preset: unknown value 'huge'; expected one of tiny, small, gpt2");
    }

    @Test
    void baseModelPathThatDoesNotExist() throws IOException {
        assertError("name: s\nbase_model: {path: /no/such/model}\ndatasets: [yelp]\n",
                "2:20: base_model.path: expected a Hugging Face model directory with config.json, not found: /no/such/model");
    }

    @Test
    void datasetSpecFileMissing() throws IOException {
        assertError("name: s\ndatasets:\n  - {name: x, spec: specs/x.yaml}\n",
                "3:21: dataset spec not found: " + home.resolve("specs/x.yaml"));
    }

    @Test
    void variantRefersToUnknownDataset() throws IOException {
        assertError("name: s\ndatasets: [yelp]\nvariants:\n  - {name: a, dataset: yelpp}\n",
                "4:24: variants[].dataset: unknown value 'yelpp' (did you mean 'yelp'?); expected one of yelp");
    }

    @Test
    void mergeRefersToUnknownVariant() throws IOException {
        assertError("""
                name: s
                datasets: [yelp]
                variants:
                  - {dataset: yelp, count: 2, name: "v{i}"}
                merges:
                  - method: linear
                    models: [v0, v2]
                """, "7:18: merges[].models: no variant named 'v2' (did you mean 'v0'?); variants are v0, v1");
    }

    @Test
    void unknownMergeMethod() throws IOException {
        assertError("name: s\ndatasets: [yelp]\nmerges:\n  - {method: tie, models: [yelp]}\n",
                "4:14: merges[].method: unknown value 'tie' (did you mean 'ties'?); expected one of "
                        + String.join(", ", StudyConfigParser.METHODS.keySet()));
    }

    /** What a study accepts is what the engine's methods declare: no method or parameter it lacks passes. */
    @Test
    void mergeMethodsAndParametersComeFromTheEnginesRegistry() throws IOException {
        assertError("name: s\ndatasets: [yelp]\nmerges:\n  - {method: ties, base_model: base, models: [yelp],"
                + " parameters: {k: 0.5}}\n", "4:67: unknown key 'merges[ties].parameters.k'; expected one of "
                + String.join(", ", StudyConfigParser.paramsOf("ties", false)));
        assertError("name: s\ndatasets: [yelp]\nmerges:\n  - {method: linear, models: [{model: yelp, parameters:"
                + " {density: 0.5}}]}\n", "4:58: unknown key 'merges[].models[yelp].parameters.density'; expected "
                + "one of weight");
        ConfigException e = assertThrows(ConfigException.class, () -> parser.parse(Files.writeString(
                home.resolve("study.yaml"), "name: s\ndatasets: [yelp]\nmerges:\n  - {method: fisher, models: [yelp]}\n"),
                List.of()));
        assertTrue(e.getMessage().contains("merges[].method: unknown value 'fisher'"), e.getMessage());
        assertTrue(StudyConfigParser.METHODS.containsKey("random_select") && StudyConfigParser.METHODS.containsKey(
                "passthrough"), "methods the engine has are accepted: " + StudyConfigParser.METHODS.keySet());
        assertFalse(StudyConfigParser.METHODS.get("linear"));
        assertTrue(StudyConfigParser.METHODS.get("ties"), "ties needs a base");
    }

    /** A method taking a fixed number of models besides the base says so before any step runs. */
    @Test
    void modelCountOutsideWhatTheMethodTakes() throws IOException {
        String study = """
                name: s
                datasets: [yelp]
                variants:
                  - {dataset: yelp, count: 3, name: "v{i}"}
                merges:
                  - method: %s
                    base_model: %s
                    models: [%s]
                    parameters: {t: 0.5}
                """;
        assertError(study.formatted("slerp", "base", "v0, v1"),
                "8:13: merges[]: slerp takes exactly 1 model besides base_model, got 2");
        assertError(study.formatted("nearswap", "v0", "v0, v1, v2"),
                "8:13: merges[]: nearswap takes exactly 1 model besides base_model, got 2");
        parser.parse(Files.writeString(home.resolve("study.yaml"), study.formatted("slerp", "v0", "v0, v1")),
                List.of());
        parser.parse(Files.writeString(home.resolve("study.yaml"), study.formatted("slerp", "base", "v2")), List.of());
    }

    @Test
    void densityOutOfRange() throws IOException {
        assertError("""
                name: s
                datasets: [yelp]
                merges:
                  - method: ties
                    base_model: base
                    models: [yelp]
                    parameters: {density: 1.5}
                """, "7:27: merges[ties].parameters.density: expected a number in (0, 1], got 1.5");
    }

    @Test
    void methodNeedingABaseWithoutOne() throws IOException {
        assertError("name: s\ndatasets: [yelp]\nmerges:\n  - {method: dare_ties, models: [yelp]}\n",
                "4:5: merges[]: method 'dare_ties' needs base_model ('base' for the pre-trained model, or a variant name)");
    }

    @Test
    void negativeLearningRate() throws IOException {
        assertError("name: s\ndatasets: [yelp]\ntraining_args:\n  learning_rate: -0.1\n",
                "4:18: training_args.learning_rate: expected a number in (0, 1], got -0.1");
    }

    @Test
    void batchSizeNotAnInteger() throws IOException {
        assertError("name: s\ndatasets: [yelp]\ntraining_args:\n  per_device_train_batch_size: 8.5\n",
                "4:32: training_args.per_device_train_batch_size: expected an integer >= 1, got 8.5");
    }

    @Test
    void parallelismBelowOne() throws IOException {
        assertError("name: s\ndatasets: [yelp]\nexecutor:\n  parallelism: 0\n",
                "4:16: executor.parallelism: expected an integer in [1, 256], got 0");
    }

    @Test
    void duplicateVariantName() throws IOException {
        assertError("name: s\ndatasets: [yelp]\nvariants:\n  - {name: a}\n  - {name: a}\n",
                "5:5: variant name 'a' is used twice");
    }

    @Test
    void sliceIndexOutsideItsCount() throws IOException {
        assertError("name: s\ndatasets: [yelp]\nvariants:\n  - {name: a, slice: 5/5}\n",
                "4:22: variants[].slice: index must be in [0, 4] for 5 slices, got 5");
    }

    @Test
    void unknownEvaluationSplit() throws IOException {
        assertError("name: s\ndatasets: [yelp]\nevaluate:\n  splits: [test, dev]\n",
                "4:18: evaluate.splits: unknown value 'dev'; expected one of train, validation, test");
    }

    @Test
    void stackerWithoutValidationLogits() throws IOException {
        assertError("name: s\ndatasets: [yelp]\nevaluate:\n  splits: [test]\n  baselines: {stacker: true}\n",
                "5:14: evaluate.baselines.stacker: the stacker is trained on validation logits; add 'validation' "
                        + "to evaluate.splits");
    }

    @Test
    void emptySweepValues() throws IOException {
        assertError("""
                name: s
                datasets: [yelp]
                sweeps:
                  - name: g
                    methods: [ties]
                    models: [yelp]
                    base_model: base
                    density: []
                """, "8:14: sweeps[].density: expected at least one value, got an empty list");
    }

    @Test
    void missingDatasets() throws IOException {
        assertError("name: s\nseed: 1\n", "1:1: missing required key 'datasets'");
    }

    @Test
    void unsetEnvironmentVariable() throws IOException {
        assertError("name: s\nbase_model: {path: \"${NO_SUCH_VAR}/gpt2\"}\ndatasets: [yelp]\n",
                "2:20: environment variable NO_SUCH_VAR is not set (write ${NO_SUCH_VAR:-default} for a fallback)");
    }

    @Test
    void aTrainingArgumentIsBlamedOnTheFileAndLineItCameFromOrOnSet() throws IOException {
        // the parent sets the training arguments; the child, which extends it, misspells one
        Files.writeString(home.resolve("parent.yaml"), "name: p\ndatasets: [yelp]\ntraining_args:\n"
                + "  learning_rate: 1.0e-4\n  num_train_epochs: 2\n");
        assertError("extends: parent.yaml\nname: s\ntraining_args:\n  learnin_rate: 1.0e-4\n",
                "4:3: training_args: unknown training argument 'learnin_rate' (did you mean 'learning_rate'?)");
        assertError("extends: parent.yaml\nname: s\ntraining_args:\n  lr_scheduler_type: steep\n",
                "4:22: training_args.lr_scheduler_type: expected one of linear, cosine, constant, "
                        + "constant_with_warmup, got 'steep'");
        assertError("extends: parent.yaml\nname: s\n", List.of("training_args.learnin_rate=1e-4"),
                "--set training_args.learnin_rate=1e-4: training_args: unknown training argument 'learnin_rate' "
                        + "(did you mean 'learning_rate'?)");
        assertError("name: s\ndatasets: [yelp]\nvariants:\n  - dataset: yelp\n    training_args: {warmup_ratio: 0.1,"
                + " lr_scheduler_typ: cosine}\n", "5:40: variants[].training_args: unknown training argument "
                + "'lr_scheduler_typ' (did you mean 'lr_scheduler_type'?)");
    }

    @Test
    void extendsFileMissing() throws IOException {
        assertError("extends: presets/none.yaml\nname: s\ndatasets: [yelp]\n",
                "1:10: extends: no such file " + home.resolve("presets/none.yaml"));
    }

    @Test
    void extendsCycle() throws IOException {
        Files.writeString(home.resolve("a.yaml"), "extends: study.yaml\n");
        Path f = home.resolve("study.yaml");
        Files.writeString(f, "extends: a.yaml\nname: s\ndatasets: [yelp]\n");
        ConfigException e = assertThrows(ConfigException.class, () -> parser.parse(f, List.of()));
        // Reported where the cycle closes: a.yaml's extends line.
        assertEquals(home.resolve("a.yaml") + ":1:10: extends cycle: study.yaml -> a.yaml -> study.yaml", e.getMessage());
    }

    @Test
    void overrideOfAValueWithWrongType() throws IOException {
        assertError("name: s\ndatasets: [yelp]\n", List.of("executor.parallelism=two"),
                "--set executor.parallelism=two: executor.parallelism: expected an integer, got a string 'two'");
    }

    @Test
    void overrideIntoAScalar() throws IOException {
        assertError("name: s\ndatasets: [yelp]\n", List.of("name.first=x"),
                "--set name.first=x: 'name' is a string, not a mapping: cannot set 'first' in it");
    }

    @Test
    void unknownKeyInsideAVariant() throws IOException {
        assertError("name: s\ndatasets: [yelp]\nvariants:\n  - name: a\n    sead: 3\n",
                "5:5: unknown key 'variants[].sead' (did you mean 'seed'?); expected one of name, dataset, slice, "
                        + "count, split, seed, training_args");
    }
}
