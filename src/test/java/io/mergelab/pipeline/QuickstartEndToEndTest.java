package io.mergelab.pipeline;

import io.mergelab.config.StudyConfig;
import io.mergelab.report.EvalRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped quickstart study for real (factory model, real fine-tuning, merges, evaluation, report), cut to a
 * few optimiser steps per variant; then a rerun that finds everything done.
 */
@Tag("slow")
class QuickstartEndToEndTest {
    /** One seed, a few optimiser steps everywhere; pre-training on the shipped text only (not the 50 000 fetched
     *  reviews, whose tokenizing alone would outlast the cut run). */
    private static final List<String> CUT = List.of("seeds=[42]", "training_args.max_steps=4",
            "training_args.num_train_epochs=1",
            "base_model.pretrain.steps=2", "base_model.pretrain.corpus=[data/uci-sentiment/imdb_labelled.txt, "
                    + "data/drugscom-sample/drugsComTrain_raw.tsv]");

    @Test
    void quickstartRunsEveryStepWritesTheReportAndRerunsAsANoOp(@TempDir Path tmp) throws Exception {
        Path home = Path.of("").toAbsolutePath();
        Studies studies = Studies.standard(home);
        StudyConfig study = studies.load(home.resolve("configs/quickstart_pretrained.yaml"), CUT);
        Plan plan = studies.plan(study);
        StepStore store = new StepStore(Studies.studyDir(tmp, study));

        RunSummary first = new LocalExecutor(2).execute(plan, store, new ConsoleListener(System.err));
        assertTrue(first.ok(), first.failures().toString());
        assertEquals(plan.steps().size(), first.ran().size());

        Path report = store.root().resolve("report");
        for (String f : List.of("results.csv", "results.md", "results.tex", "plots/accuracy_yelp.png",
                "plots/accuracy_amazon.png", "plots/confusion_best_merge_yelp.png")) {
            assertTrue(Files.isRegularFile(report.resolve(f)), f);
        }
        String md = Files.readString(report.resolve("results.md"));
        // merges named after their method show the method's display name
        for (String row : List.of("| yelp_0 | variant |", "| TIES | merge |", "| DARE-TIES | merge |",
                "| Linear | merge |", "| ensemble | ensemble |", "| stacker | stacker |",
                "| yelp_0_from_scratch | from_scratch |")) {
            assertTrue(md.contains(row), row + " in\n" + md);
        }
        // a paper's table: intervals, and a results.tex that compiles
        assertTrue(md.contains("in brackets the 95 % interval (percentile bootstrap over test examples, 2000 resamples)")
                && md.contains("## Merges against baselines"), md);
        io.mergelab.report.ReportStatisticsTest.compiles(report.resolve("results.tex"), tmp.resolve("latex"),
                "tab:quickstart-pretrained-main");
        // why the merges work: the task-vector analysis of the variants and each merge's retention beside it
        assertTrue(md.contains("## Why the merges work: task vectors") && md.contains("| ties | amazon | 42 |"), md);
        for (String f : List.of("analysis/analysis.json", "analysis/cosine.png", "analysis/cosine.pdf",
                "analysis/sign_conflict_layers_pairs.svg", "analysis/retention.csv", "analysis/retention.png")) {
            assertTrue(Files.isRegularFile(report.resolve(f)), f);
        }
        Step tiesOnAmazon = plan.steps().stream().filter(s -> s.label().equals("evaluate ties on amazon/test"))
                .findFirst().orElseThrow();
        EvalRecord r = EvalRecord.read(store.dir(tiesOnAmazon.id()).resolve(EvalRecord.FILE));
        assertEquals(200, (int) r.metric("num_examples"));
        assertTrue(r.metric("accuracy") >= 0 && r.metric("accuracy") <= 1);

        // the pre-trained base is built once in the shared cache beside the study; the study points at it
        Step pretrain = plan.steps().stream().filter(s -> s.kind().equals("pretrain")).findFirst().orElseThrow();
        Path cached = tmp.resolve("pretrained").resolve(pretrain.id());
        assertEquals(cached, ModelOutputs.modelDir(store.dir(pretrain.id())));
        assertTrue(Files.isRegularFile(cached.resolve("model.safetensors")));
        assertTrue(Files.readString(cached.resolve("config.json")).contains("GPT2LMHeadModel"));
        assertTrue(Files.readString(cached.resolve("metrics.json")).contains("\"sampled_softmax\" : 4096"),
                "the quickstart's sampled softmax reached the pre-trainer");

        // another study with the same base settings reuses the cached model instead of training again
        java.nio.file.attribute.FileTime built = Files.getLastModifiedTime(cached.resolve("metrics.json"));
        Step base = plan.step(pretrain.deps().get(0));
        StepStore other = new StepStore(tmp.resolve("other_study"));
        assertTrue(new LocalExecutor(1).execute(new Plan("other_study", List.of(base, pretrain)), other,
                new StepListener() { }).ok());
        assertEquals(cached, ModelOutputs.modelDir(other.dir(pretrain.id())));
        assertEquals(built, Files.getLastModifiedTime(cached.resolve("metrics.json")));

        RunSummary second = new LocalExecutor(2).execute(plan, store, new StepListener() { });
        assertEquals(List.of(), second.ran());
        assertEquals(plan.steps().size(), second.skipped().size());

        // A changed merge parameter redoes that merge, its 4 evaluations, the analysis (trimmed at the study's
        // densities) and the report; nothing else.
        List<String> changedDensity = new java.util.ArrayList<>(CUT);
        changedDensity.add("merges.1.parameters.density=0.7");
        StudyConfig changed = studies.load(home.resolve("configs/quickstart_pretrained.yaml"), changedDensity);
        RunSummary third = new LocalExecutor(2).execute(studies.plan(changed), store, new StepListener() { });
        assertTrue(third.ok(), third.failures().toString());
        assertEquals(7, third.ran().size(), third.ran().toString());
    }
}
