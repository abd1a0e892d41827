package io.mergelab.pipeline;

import io.mergelab.yaml.ConfigException;
import io.mergelab.config.StudyConfig;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Expanding studies into step DAGs (nothing runs here). */
class StudyPlannerTest {
    static final Path HOME = Path.of("").toAbsolutePath();
    final Studies studies = Studies.standard(HOME);

    private Plan plan(Path file, String... overrides) {
        return studies.plan(studies.load(file, List.of(overrides)));
    }

    private static Map<String, Long> kinds(Plan p) {
        return p.steps().stream().collect(Collectors.groupingBy(Step::kind, Collectors.counting()));
    }

    /**
     * validate refuses, before any work and naming the config line, a base_model.path that no run could load (no
     * weights, pickle-only, a truncated safetensors file, not a GPT-2) and a max_length beyond the base's
     * n_positions.
     */
    @Test
    void aBaseCheckpointThatCannotBeLoadedOrIsTooShortIsRefusedByValidate(@TempDir Path tmp) throws Exception {
        Path fake = Path.of("src/test/resources/models/fake-gpt2").toAbsolutePath();
        Path noWeights = Files.createDirectories(tmp.resolve("no-weights"));
        Files.copy(fake.resolve("config.json"), noWeights.resolve("config.json"));
        Path pickle = Files.createDirectories(tmp.resolve("pickle"));
        Files.copy(fake.resolve("config.json"), pickle.resolve("config.json"));
        Files.write(pickle.resolve("pytorch_model.bin"), new byte[] {'P', 'K', 3, 4});
        Path truncated = Files.createDirectories(tmp.resolve("truncated"));
        Files.copy(fake.resolve("config.json"), truncated.resolve("config.json"));
        byte[] weights = Files.readAllBytes(fake.resolve("model.safetensors"));
        Files.write(truncated.resolve("model.safetensors"), java.util.Arrays.copyOf(weights, weights.length / 2));
        Path llama = Files.createDirectories(tmp.resolve("llama"));
        Files.writeString(llama.resolve("config.json"), "{\"model_type\": \"llama\", \"hidden_size\": 64}");
        for (Path dir : List.of(noWeights, pickle, truncated, llama)) {
            Path cfg = Files.writeString(tmp.resolve("study.yaml"), "name: s\nbase_model: {path: " + dir
                    + "}\ndatasets: [yelp]\nvariants: [{dataset: yelp, name: y}]\n");
            ConfigException e = assertThrows(ConfigException.class, () -> plan(cfg), dir.toString());
            assertTrue(e.getMessage().startsWith(cfg + ":2:20: base_model: " + dir + " is not a usable GPT-2 "
                    + "checkpoint: "), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
        Path ok = Files.writeString(tmp.resolve("study.yaml"), "name: s\nbase_model: {path: " + fake
                + "}\ndatasets: [yelp]\nvariants: [{dataset: yelp, name: y}]\n");
        assertEquals(fake, ((BaseModelAction.Directory) ((BaseModelAction) plan(ok).steps().get(0).action()).source())
                .path());
        ConfigException tooLong = assertThrows(ConfigException.class, () -> plan(ok, "training_args.max_length=4096"));
        assertEquals(ok + ":2:20: training_args.max_length 4096 exceeds the base model's n_positions 1024: sequences "
                + "that long cannot be embedded; set max_length to at most 1024", tooLong.getMessage());
        ConfigException pretrain = assertThrows(ConfigException.class, () -> plan(HOME.resolve(
                "configs/quickstart_pretrained.yaml"), "base_model.pretrain.training_args.max_length=2048"));
        assertTrue(pretrain.getMessage().contains("base_model.pretrain.training_args.max_length 2048 exceeds the base "
                + "model's n_positions"), pretrain.getMessage());
    }

    @Test
    void quickstartExpandsIntoTheFullDag() {
        Plan p = plan(HOME.resolve("configs/quickstart_pretrained.yaml"));
        // per seed (3): 3 variants fine-tuned from the pre-trained base and 3 from the random one
        // (from_scratch_baseline); one base and one pre-training for all seeds
        assertEquals(Map.of("base", 1L, "pretrain", 1L, "data", 6L, "finetune", 18L, "merge", 9L, "evaluate", 72L,
                "ensemble", 6L, "stacker", 3L, "analyze", 3L, "report", 1L), kinds(p));
        Step report = p.steps().get(p.steps().size() - 1);
        assertEquals("report", report.kind());
        assertEquals(84, report.deps().size(), "the report waits for every result and each seed's analysis");
        // each seed's analysis: its 3 variants (not the from-scratch comparison) against the pre-trained base,
        // trimmed at the merges' density
        Step pretrain = p.steps().stream().filter(s -> s.kind().equals("pretrain")).findFirst().orElseThrow();
        for (Step a : p.steps().stream().filter(s -> s.kind().equals("analyze")).toList()) {
            assertEquals(4, a.deps().size(), a.label());
            assertEquals(pretrain.id(), a.deps().get(0), a.label());
            for (String d : a.deps().subList(1, 4)) {
                Step ft = p.step(d);
                assertTrue(ft.kind().equals("finetune") && !ft.label().contains("from scratch"), ft.label());
            }
            assertEquals(List.of(0.5), ((AnalyzeAction) a.action()).settings().tiesDensities(), a.label());
        }
    }

    @Test
    void variantsAndMergesStartFromThePretrainedBaseAndTheComparisonFromTheRandomOne() {
        Plan p = plan(HOME.resolve("configs/quickstart_pretrained.yaml"));
        Step random = p.steps().stream().filter(s -> s.kind().equals("base")).findFirst().orElseThrow();
        Step pretrain = p.steps().stream().filter(s -> s.kind().equals("pretrain")).findFirst().orElseThrow();
        assertEquals(List.of(random.id()), pretrain.deps());
        for (Step s : p.steps()) {
            if (s.kind().equals("finetune")) {
                String from = s.label().contains("from scratch") ? random.id() : pretrain.id();
                assertTrue(s.deps().contains(from), s.label());
            }
            if (s.kind().equals("merge")) {
                ((MergeAction) s.action()).recipe().baseModel().ifPresent(b -> assertEquals(pretrain.id(), b, s.label()));
            }
        }
        assertEquals(18, p.steps().stream().filter(s -> s.kind().equals("evaluate")
                && s.meta().get("role").equals("from_scratch")).count());
        Plan without = plan(HOME.resolve("configs/quickstart_pretrained.yaml"), "base_model.pretrain.from_scratch_baseline=false");
        assertEquals(0, without.steps().stream().filter(s -> s.label().contains("from scratch")).count());
    }

    @Test
    void thePretrainStepIsKeyedByItsSettingsNotByTheStudy() {
        Plan a = plan(HOME.resolve("configs/quickstart_pretrained.yaml"));
        Plan renamed = plan(HOME.resolve("configs/quickstart_pretrained.yaml"), "name=other_study", "seeds=[7]");
        Plan moreSteps = plan(HOME.resolve("configs/quickstart_pretrained.yaml"), "base_model.pretrain.steps=10");
        Plan otherSeed = plan(HOME.resolve("configs/quickstart_pretrained.yaml"), "base_model.seed=43");
        assertEquals(pretrainId(a), pretrainId(renamed), "same preset, seed, corpus and arguments: one cached model");
        assertFalse(pretrainId(a).equals(pretrainId(moreSteps)));
        assertFalse(pretrainId(a).equals(pretrainId(otherSeed)));
        Plan otherSampling = plan(HOME.resolve("configs/quickstart_pretrained.yaml"), "base_model.pretrain.sampled_softmax=1024");
        assertFalse(pretrainId(a).equals(pretrainId(otherSampling)), "the loss is part of what the model is");
        assertEquals(4096L, pretrainStep(a).inputs().get("sampled_softmax"));
        Plan fullSoftmax = plan(HOME.resolve("experiments/drug_reviews.yaml"),
                "base_model.pretrain.corpus=[data/uci-sentiment]", "base_model.pretrain.steps=400");
        assertEquals(0, ((PretrainAction) pretrainStep(fullSoftmax).action()).sampledSoftmax());
    }

    private static Step pretrainStep(Plan p) {
        return p.steps().stream().filter(s -> s.kind().equals("pretrain")).findFirst().orElseThrow();
    }

    @Test
    void badPretrainSettingsAreConfigErrorsNamingTheField() {
        ConfigException e = assertThrows(ConfigException.class, () -> plan(HOME.resolve("configs/quickstart_pretrained.yaml"),
                "base_model.pretrain.training_args.lr_scheduler_type=zigzag"));
        assertTrue(e.getMessage().contains("base_model.pretrain.training_args"), e.getMessage());
        ConfigException missing = assertThrows(ConfigException.class, () -> plan(
                HOME.resolve("configs/quickstart_pretrained.yaml"), "base_model.pretrain.corpus=no/such/file.txt"));
        assertTrue(missing.getMessage().contains("base_model.pretrain.corpus: no such file or directory"),
                missing.getMessage());
        ConfigException zero = assertThrows(ConfigException.class, () -> plan(HOME.resolve("configs/quickstart_pretrained.yaml"),
                "base_model.pretrain.sampled_softmax=0"));
        assertTrue(zero.getMessage().contains("base_model.pretrain.sampled_softmax"), zero.getMessage());
    }

    private static String pretrainId(Plan p) {
        return p.steps().stream().filter(s -> s.kind().equals("pretrain")).findFirst().orElseThrow().id();
    }

    @Test
    void aChangedTrainingArgumentRedoesTrainingAndEverythingAfterButNotTheData() {
        Plan a = plan(HOME.resolve("configs/quickstart_pretrained.yaml"));
        Plan b = plan(HOME.resolve("configs/quickstart_pretrained.yaml"), "training_args.learning_rate=2e-3");
        Set<String> idsA = a.steps().stream().map(Step::id).collect(Collectors.toSet());
        for (Step s : b.steps()) {
            boolean reused = idsA.contains(s.id());
            assertEquals(s.kind().equals("base") || s.kind().equals("pretrain") || s.kind().equals("data"), reused,
                    s.label());
        }
        Plan again = plan(HOME.resolve("configs/quickstart_pretrained.yaml"));
        assertEquals(a.steps().stream().map(Step::id).toList(), again.steps().stream().map(Step::id).toList());
    }

    @Test
    void aMergeAcrossDatasetsIsEvaluatedOnEachWithThatDatasetsHead() {
        Plan p = plan(HOME.resolve("configs/quickstart_pretrained.yaml"), "seeds=[42]"); // one seed: labels without "(seed N)"
        Map<String, Step> byLabel = p.steps().stream().collect(Collectors.toMap(Step::label, Function.identity()));
        Step amazonTuned = byLabel.get("finetune amazon");
        Step yelpTuned = byLabel.get("finetune yelp_0");
        assertTrue(byLabel.get("evaluate ties on amazon/test").deps().contains(amazonTuned.id()));
        assertTrue(byLabel.get("evaluate ties on yelp/test").deps().contains(yelpTuned.id()));
        assertFalse(byLabel.get("evaluate ties on yelp/test").deps().contains(amazonTuned.id()));
    }

    @Test
    void severalSeedsRepeatDataTrainingAndMergesButShareTheBase() {
        Plan p = plan(HOME.resolve("configs/quickstart_pretrained.yaml"), "seeds=[1, 2]", "seed=");
        Map<String, Long> k = kinds(p);
        assertEquals(1L, k.get("base"));
        assertEquals(1L, k.get("pretrain"));
        assertEquals(4L, k.get("data"));
        assertEquals(12L, k.get("finetune")); // per seed: 3 from the pre-trained base, 3 from scratch
        assertEquals(48L, k.get("evaluate"));
    }

    @Test
    void theSeedStudysConfigPlansAsItIs() {
        Plan p = plan(HOME.resolve("src/test/resources/config/seed_001_example.yaml"));
        assertEquals(Map.of("base", 1L, "data", 1L, "finetune", 1L, "merge", 1L, "evaluate", 4L, "report", 1L),
                kinds(p));
        assertEquals("openai-community/gpt2", ((BaseModelAction.Hub) ((BaseModelAction) p.steps().get(0).action())
                .source()).id().toString(), p.steps().get(0).inputs().toString());
    }

    @Test
    void shippedExperimentsPlan() {
        Plan drugs = plan(HOME.resolve("experiments/drug_reviews.yaml"));
        assertEquals(5L, kinds(drugs).get("finetune") - 1, "5 variants + the full-data baseline");
        assertEquals(7L, kinds(drugs).get("merge"));
        Plan multi = plan(HOME.resolve("experiments/multi_review.yaml"));
        assertEquals(3L + 4L, kinds(multi).get("merge"), "3 merges + a 2x2 sweep");
        // the commented pre-training block, switched on, plans one cached pretrain step and the from-scratch rows
        Plan pretrained = plan(HOME.resolve("experiments/drug_reviews.yaml"),
                "base_model.pretrain.corpus=[data/uci-sentiment]", "base_model.pretrain.steps=400",
                "base_model.pretrain.from_scratch_baseline=true");
        assertEquals(1L, kinds(pretrained).get("pretrain"));
        assertEquals(5L + 5L, kinds(pretrained).get("finetune") - 1, "5 variants, 5 from scratch + the baseline");
    }

    @Test
    void unknownTrainingArgumentIsAConfigErrorAtItsKey(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("s.yaml");
        Files.writeString(f, "name: s\ndatasets: [yelp]\nvariants:\n  - name: a\n    training_args: {lerning_rate: 0.1}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> plan(f));
        assertTrue(e.getMessage().startsWith(f + ":5:21: variants[].training_args: unknown training argument "
                + "'lerning_rate'"), e.getMessage());
    }

    @Test
    void aBrokenInlineDatasetSpecIsAConfigErrorAtTheDataset(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("s.yaml");
        Files.writeString(f, "name: s\ndatasets:\n  - name: mine\n    path: " + HOME.resolve("data/uci-sentiment/yelp_labelled.txt")
                + "\n    format: text-label\n");
        ConfigException e = assertThrows(ConfigException.class, () -> plan(f));
        assertTrue(e.getMessage().startsWith(f + ":3:5: dataset 'mine': "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void studyDirIsNamedAfterTheStudy() {
        StudyConfig s = studies.load(HOME.resolve("configs/quickstart_pretrained.yaml"), List.of());
        assertEquals(Path.of("/x/quickstart_pretrained"), Studies.studyDir(Path.of("/x"), s));
    }
}
