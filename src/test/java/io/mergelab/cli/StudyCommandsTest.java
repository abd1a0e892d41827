package io.mergelab.cli;

import io.mergelab.report.StudyReportTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** validate, run --dry-run, report and compare through the CLI entry point. */
class StudyCommandsTest {

    record Result(int code, String out, String err) {
    }

    static synchronized Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /**
     * The report folder shows the report of the configuration just run: run, run with another report metric, run
     * the first again (its report step already done) and the folder holds the first metric's report again.
     */
    @Test
    void theReportFolderFollowsTheConfigurationJustRun(@TempDir Path tmp) throws Exception {
        String[] quick = {"--outputs", tmp.toString(), "--set", "training_args.max_steps=2", "--set",
                "evaluate.baselines.stacker=false", "configs/quickstart.yaml"};
        Path md = tmp.resolve("quickstart/report/results.md");
        assertEquals(0, run(concat("run", quick)).code());
        assertTrue(Files.readString(md).contains("Main table: accuracy"), Files.readString(md));
        assertEquals(0, run(concat(new String[] {"run", "--set", "report.metric=macro_f1"}, quick)).code());
        assertTrue(Files.readString(md).contains("Main table: macro-F1"), Files.readString(md));
        Result again = run(concat("run", quick));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("0 steps run"), again.out());
        assertTrue(Files.readString(md).contains("Main table: accuracy"), "the first configuration's report again:\n"
                + Files.readString(md));
    }

    private static String[] concat(String first, String... rest) {
        String[] out = new String[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void validatePrintsThePlan(@TempDir Path tmp) {
        Result r = run("validate", "--outputs", tmp.toString(), "configs/quickstart_pretrained.yaml");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("configs/quickstart_pretrained.yaml: valid (2 dataset(s), 3 variant(s), 3 merge(s), 3 seed(s))"));
        // per seed: 2 data, 6 fine-tunes (3 from the pre-trained base, 3 from scratch), 3 merges, 24 evaluations,
        // 2 ensembles, a stacker and the task-vector analysis = 39; x 3 seeds + the base, the pre-training and the
        // report, shared = 120
        assertTrue(r.out().contains("120 steps, 0 done, 120 to run"), r.out());
        assertTrue(r.out().contains("[todo] base-"));
        assertTrue(r.out().contains("pre-train base on 3 corpus file(s)"), r.out());
    }

    @Test
    void dryRunPrintsThePlanAndRunsNothing(@TempDir Path tmp) throws Exception {
        Result r = run("run", "--dry-run", "--outputs", tmp.toString(), "configs/quickstart_pretrained.yaml");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("finetune yelp_0"));
        assertTrue(r.out().contains(", data_seed=1, data_step=data-") && r.out().contains("slice_count=2, slice_index=0"),
                r.out());
        assertTrue(!Files.exists(tmp.resolve("quickstart_pretrained")) || Files.list(tmp.resolve("quickstart_pretrained")).findAny().isEmpty());
    }

    @Test
    void anInvalidConfigIsOneLineWithItsPosition(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("bad.yaml");
        Files.writeString(f, "name: s\ndatasets: [yelp]\nexecutor: {parallelism: -2}\n");
        Result r = run("validate", f.toString());
        assertEquals(1, r.code());
        assertEquals("mergelab: error: " + f + ":3:25: executor.parallelism: expected an integer in [1, 256], got -2\n",
                r.err());
    }

    @Test
    void reportRebuildsFromDiskAndCompareDiffs(@TempDir Path tmp) throws Exception {
        Path a = StudyReportTest.fakeStudy(tmp.resolve("a"), "a", 0);
        Path b = StudyReportTest.fakeStudy(tmp.resolve("b"), "b", 0.1);
        Result r = run("report", a.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(a.resolve("report/results.md")));
        assertTrue(Files.isRegularFile(a.resolve("report/plots/accuracy_yelp.png")));
        Result c = run("compare", a.toString(), b.toString());
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().contains("| v0 | yelp | 0.7100 ± 0.0141 | 0.8100 ± 0.0141 | +0.1000 |"), c.out());
    }
}
