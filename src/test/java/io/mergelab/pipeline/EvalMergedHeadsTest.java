package io.mergelab.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mergelab.cli.Main;
import io.mergelab.yaml.Mark;
import io.mergelab.config.StudyConfig;
import io.mergelab.data.DatasetSpec;
import io.mergelab.data.Datasets;
import io.mergelab.merge.MergeEngine;
import io.mergelab.merge.MergeRunner;
import io.mergelab.model.checkpoint.CheckpointWriter;
import io.mergelab.model.checkpoint.FloatTensor;
import io.mergelab.model.checkpoint.Gpt2Config;
import io.mergelab.model.gpt2.Gpt2Factory;
import io.mergelab.model.gpt2.ModelPreset;
import io.mergelab.report.EvalRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code mergelab eval --model} on a merge of two classifiers with different label spaces (per-task heads): each
 * dataset is scored with its own head, with the same numbers as the study's evaluate step (HeadSwap with the
 * fine-tuned variant's head). Lives in the pipeline package to run {@link EvaluateAction} itself. The study is
 * laid out as a real one (steps committed by {@link StepStore}, checkpoints at {@code <step>/model}, so the heads
 * are named {@code model} and {@code model-2}); the classifiers are seeded stand-ins for fine-tunes.
 */
class EvalMergedHeadsTest {
    private static final Path TOKENIZER = Path.of("data/gpt2-tokenizer").toAbsolutePath();
    private static final StudyConfig.Compute CPU = new StudyConfig.Compute("cpu", "fp32", new Mark("test", 1, 1));
    private static final long DATA_SEED = 42;

    @TempDir
    static Path tmp;
    static Path tone;
    static Path mood;
    static Path study;
    static Map<String, Step> steps;

    record Out(int rc, String stdout, String stderr) {
        JsonNode json() throws IOException {
            return new ObjectMapper().readTree(stdout);
        }
    }

    @BeforeAll
    static void studyWithACrossDatasetMerge() throws Exception {
        tone = spec("tone", List.of("negative", "positive"), new String[] {"awful food", "great service",
            "cold and bland", "lovely staff", "never again", "best pizza", "rude waiter", "so tasty"});
        mood = spec("mood", List.of("sad", "calm", "happy"), new String[] {"I cried all day", "a quiet walk",
            "we danced", "lost my dog", "reading by the fire", "won the game", "so lonely", "tea at noon", "party!"});
        study = tmp.resolve("outputs/study");
        StepStore store = new StepStore(study);
        Step base = commit(store, Step.keyed("base", "base", Map.of("seed", 1), List.of(), Map.of(), null),
                w -> Gpt2Factory.writeCheckpoint(ModelPreset.TINY, 1, w.resolve("model"), TOKENIZER, false));
        steps = new java.util.LinkedHashMap<>();
        int k = 1;
        for (Path specFile : List.of(tone, mood)) {
            DatasetSpec spec = DatasetSpec.load(specFile);
            var splits = Datasets.prepare(spec, DATA_SEED);
            Step data = commit(store, Step.keyed("data", "data " + spec.name(), Map.of("spec", spec.name()), List.of(),
                    Map.of("dataset", spec.name(), "seed", DATA_SEED), null), w -> PreparedData.write(splits, w));
            int variant = k++;
            Step ft = commit(store, Step.keyed("finetune", "finetune " + spec.name() + "_0", Map.of("k", variant),
                    List.of(base, data), Map.of(), null), w -> classifier(variant, splits.labels(), w.resolve("model")));
            steps.put("data " + spec.name(), data);
            steps.put("finetune " + spec.name(), ft);
        }
        Path recipe = tmp.resolve("merge.yml");
        Files.writeString(recipe, """
                merge_method: task_arithmetic
                base_model: %s
                models:
                  - {model: %s, parameters: {weight: 0.7}}
                  - {model: %s, parameters: {weight: 0.7}}
                dtype: float32
                """.formatted(model(base), model(steps.get("finetune tone")), model(steps.get("finetune mood"))));
        Step merge = commit(store, Step.keyed("merge", "merge ta", Map.of(), List.of(base), Map.of(), null),
                w -> MergeEngine.withDefaultMethods().run(recipe, w.resolve("model"), 0, MergeRunner.Options.defaults()));
        steps.put("merge", merge);
    }

    @Test
    void eachDatasetIsScoredWithItsOwnHeadExactlyAsTheStudyDoes() throws Exception {
        Path merged = model(steps.get("merge"));
        assertTrue(Files.isRegularFile(merged.resolve("heads/model/head.json")), "named after the step's folder");
        assertTrue(Files.isRegularFile(merged.resolve("heads/model-2/head.json")));
        for (String ds : List.of("tone", "mood")) {
            Path spec = ds.equals("tone") ? tone : mood;
            String head = ds.equals("tone") ? "heads/model" : "heads/model-2";
            Out out = eval("--model", merged.toString(), "--dataset", spec.toString());
            assertEquals(0, out.rc(), out.stderr());
            assertTrue(out.stderr().contains("head: " + head + " (its source model was fine-tuned on dataset " + ds
                    + ")"), out.stderr());
            JsonNode json = out.json();
            assertEquals(head, json.get("head").asText());
            EvalRecord study = studyEvaluation(ds, "test");
            assertEquals(study.metric("loss"), json.get("loss").asDouble(), 0.0, ds + " loss");
            assertEquals(study.metric("accuracy"), json.get("accuracy").asDouble(), 0.0, ds + " accuracy");
            assertEquals(study.metric("num_examples"), json.get("num_examples").asDouble(), 0.0);
            assertEquals(study.labels().size(), json.get("labels").size(), "the head's label count");
        }
    }

    /** The top-level score.weight is the first model's head: scoring mood needs the override or the match. */
    @Test
    void headOptionChoosesExplicitlyAndTheLabelsMustFit() throws Exception {
        Path merged = model(steps.get("merge"));
        Out ok = eval("--model", merged.toString(), "--dataset", mood.toString(), "--head", "model-2");
        assertEquals(0, ok.rc(), ok.stderr());
        assertTrue(ok.stderr().contains("head: heads/model-2 (chosen with --head)"), ok.stderr());
        assertEquals(studyEvaluation("mood", "test").metric("loss"), ok.json().get("loss").asDouble(), 0.0);

        Out wrong = eval("--model", merged.toString(), "--dataset", mood.toString(), "--head", "model");
        assertEquals(1, wrong.rc());
        assertOneLineError(wrong, "heads/model has 2 labels [negative, positive] but dataset mood has 3");
    }

    /** Without a study's records (a copy elsewhere), the dataset is found by the head's name, else by its labels. */
    @Test
    void matchesByNameOrTheOnlyHeadWithTheDatasetsLabels() throws Exception {
        Path named = tmp.resolve("named");
        Files.createDirectories(named);
        Files.createSymbolicLink(named.resolve("tone_0"), model(steps.get("finetune tone")));
        Files.createSymbolicLink(named.resolve("reviews"), model(steps.get("finetune mood")));
        Path recipe = tmp.resolve("named.yml");
        Files.writeString(recipe, """
                merge_method: linear
                models:
                  - {model: %s, parameters: {weight: 0.5}}
                  - {model: %s, parameters: {weight: 0.5}}
                """.formatted(named.resolve("tone_0"), named.resolve("reviews")));
        Path merged = MergeEngine.withDefaultMethods().run(recipe, tmp.resolve("named-merge"), 0,
                MergeRunner.Options.defaults());

        Out byName = eval("--model", merged.toString(), "--dataset", tone.toString());
        assertEquals(0, byName.rc(), byName.stderr());
        assertTrue(byName.stderr().contains("head: heads/tone_0 (matches dataset tone)"), byName.stderr());
        Out byLabels = eval("--model", merged.toString(), "--dataset", mood.toString());
        assertEquals(0, byLabels.rc(), byLabels.stderr());
        assertTrue(byLabels.stderr().contains("head: heads/reviews (the only head with dataset mood's labels "
                + "[sad, calm, happy])"), byLabels.stderr());
    }

    @Test
    void noMatchingHeadUnknownHeadAndHeadWithoutHeadsAreOneLineErrors() throws Exception {
        Path merged = model(steps.get("merge"));
        Path stars = spec("stars", List.of("one", "two", "three", "four"), new String[] {"meh", "ok", "good", "wow",
            "bad", "fine", "nice", "superb"});
        Out none = eval("--model", merged.toString(), "--dataset", stars.toString());
        assertEquals(1, none.rc());
        assertOneLineError(none, "no head matches dataset stars by name, recorded dataset or labels "
                + "[one, two, three, four]; available heads: model [negative, positive] (dataset tone), "
                + "model-2 [sad, calm, happy] (dataset mood); pass --head NAME");

        Out unknown = eval("--model", merged.toString(), "--dataset", tone.toString(), "--head", "yelp");
        assertEquals(1, unknown.rc());
        assertOneLineError(unknown, "--head yelp: " + merged + " has no heads/yelp; available: model");

        Out single = eval("--model", model(steps.get("finetune tone")).toString(), "--dataset", tone.toString(),
                "--head", "model");
        assertEquals(1, single.rc());
        assertOneLineError(single, "has no per-task heads (heads/); it is scored with its own score.weight, "
                + "so drop --head");
    }

    private static void assertOneLineError(Out out, String expected) {
        assertTrue(out.stderr().contains(expected), out.stderr());
        assertEquals(1, out.stderr().strip().lines().count(), out.stderr());
        assertFalse(out.stderr().contains("head: "), "no head was used: " + out.stderr());
    }

    /** The study's evaluate step on the merge: HeadSwap with the head of the variant fine-tuned on {@code ds}. */
    private static EvalRecord studyEvaluation(String ds, String split) throws Exception {
        Step data = steps.get("data " + ds);
        Step ft = steps.get("finetune " + ds);
        Step merge = steps.get("merge");
        EvaluateAction action = new EvaluateAction(merge.id(), data.id(), ft.id(), split,
                new EvaluateAction.ResultMeta("ta", "merge", "task_arithmetic", ds, split, 0, null, Map.of()),
                32, 128, CPU);
        Path work = Files.createDirectories(tmp.resolve("evaluate-" + ds + "-" + split + "-" + System.nanoTime()));
        StepStore store = new StepStore(study);
        action.run(new StepContext() {
            public Step step() {
                return null;
            }

            public Path workDir() {
                return work;
            }

            public Path outputOf(String id) {
                return store.dir(id);
            }

            public Plan plan() {
                return null;
            }

            public Path studyDir() {
                return study;
            }
        });
        return EvalRecord.read(work.resolve(EvalRecord.FILE));
    }

    private static Out eval(String... args) {
        List<String> all = new ArrayList<>(List.of("eval", "--device", "cpu", "--split", "test",
                "--data-seed", String.valueOf(DATA_SEED)));
        all.addAll(List.of(args));
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = Main.execute(all.toArray(String[]::new));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
        return new Out(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private interface Work {
        void into(Path workDir) throws Exception;
    }

    private static Step commit(StepStore store, Step step, Work work) throws Exception {
        Path w = store.begin(step);
        work.into(w);
        store.commit(step, w, Instant.now());
        return step;
    }

    private static Path model(Step s) {
        return study.resolve(s.id()).resolve("model");
    }

    /** A stand-in for a fine-tune: the seeded TINY backbone, nudged per variant, with a seeded head. */
    private static void classifier(int variant, List<String> labels, Path out) throws IOException {
        Gpt2Config lm = Gpt2Factory.config(ModelPreset.TINY);
        Random r = new Random(variant);
        List<FloatTensor> tensors = new ArrayList<>();
        for (FloatTensor t : Gpt2Factory.weights(lm, 1)) {
            float[] d = t.data().clone();
            for (int i = 0; i < d.length; i += 7) {
                d[i] += (float) (0.02 * r.nextGaussian());
            }
            tensors.add(new FloatTensor(t.name(), t.shape(), d));
        }
        float[] score = new float[labels.size() * lm.nEmbd()];
        for (int i = 0; i < score.length; i++) {
            score[i] = (float) (0.5 * r.nextGaussian());
        }
        tensors.add(new FloatTensor("score.weight", new long[] {labels.size(), lm.nEmbd()}, score));
        CheckpointWriter.write(out, lm.withClassification(labels, Gpt2Config.GPT2_EOS)
                .withArchitecture("GPT2ForSequenceClassification"), tensors, TOKENIZER, false);
    }

    /** A spec over a small TSV: each text repeated with a suffix, labels round-robin. */
    private static Path spec(String name, List<String> labels, String[] texts) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("data"));
        StringBuilder tsv = new StringBuilder("text\tlabel\n");
        for (int rep = 0; rep < 3; rep++) {
            for (int i = 0; i < texts.length; i++) {
                tsv.append(texts[i]).append(" #").append(rep).append('\t').append(i % labels.size()).append('\n');
            }
        }
        Files.writeString(dir.resolve(name + ".tsv"), tsv);
        Path spec = dir.resolve(name + ".yaml");
        Files.writeString(spec, """
                name: %s
                path: %s.tsv
                format: tsv
                text: text
                label: {column: label, names: %s}
                split: {validation: 0.2, test: 0.3, stratify: true}
                """.formatted(name, name, labels));
        return spec;
    }
}
