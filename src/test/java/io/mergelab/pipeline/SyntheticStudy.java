package io.mergelab.pipeline;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A small study of deterministic steps (a diamond of data → 4 "fine-tunes" → 3 "merges" → evaluations → report)
 * whose outputs are hashes of their inputs, slow enough to be killed in the middle. Run as a child JVM by
 * {@link LocalExecutorTest}: {@code SyntheticStudy STUDY_DIR LOG_FILE PARALLELISM [FAIL_LABEL]}.
 */
public final class SyntheticStudy {
    private SyntheticStudy() {
    }

    static Plan plan(long stepMillis, String failLabel) {
        List<Step> steps = new ArrayList<>();
        Step data = step("data", "data", List.of(), stepMillis, failLabel);
        steps.add(data);
        List<Step> tuned = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Step t = step("finetune", "finetune v" + i, List.of(data), stepMillis, failLabel);
            tuned.add(t);
            steps.add(t);
        }
        List<Step> evals = new ArrayList<>();
        for (String m : List.of("linear", "ties", "dare_ties")) {
            Step merge = step("merge", "merge " + m, tuned, stepMillis, failLabel);
            steps.add(merge);
            Step e = step("evaluate", "evaluate " + m, List.of(merge, data), stepMillis, failLabel);
            steps.add(e);
            evals.add(e);
        }
        for (Step t : tuned) {
            Step e = step("evaluate", "evaluate " + t.label(), List.of(t, data), stepMillis, failLabel);
            steps.add(e);
            evals.add(e);
        }
        steps.add(step("report", "report", evals, stepMillis, failLabel));
        return new Plan("synthetic", steps);
    }

    private static Step step(String kind, String label, List<Step> deps, long millis, String failLabel) {
        return Step.keyed(kind, label, Map.of("label", label), deps, Map.of("label", label), ctx -> {
            if (label.equals(failLabel)) {
                throw new IllegalStateException("injected failure in " + label);
            }
            StringBuilder in = new StringBuilder(label);
            for (String d : ctx.step().deps()) {
                in.append('|').append(Files.readString(ctx.outputOf(d).resolve("out.txt")));
            }
            String result = Canonical.sha256(in.toString());
            // Written in two halves with a pause between: a kill can land in the middle of a file.
            Path out = ctx.workDir().resolve("out.txt");
            Files.writeString(out, result.substring(0, 32));
            Thread.sleep(millis);
            Files.writeString(out, result.substring(32), StandardOpenOption.APPEND);
        });
    }

    /** Logs each commit (one line per finished step) so a test can prove nothing ran twice to completion. */
    static StepListener commitLog(Path log) {
        return new StepListener() {
            @Override
            public synchronized void finished(Step step, Path outputDir, Duration took) {
                try {
                    Files.writeString(log, step.id() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
    }

    /**
     * With {@code -Dsynthetic.only=LABEL} it runs that one step as {@code run --only} does (per-step lock), each
     * step taking {@code -Dsynthetic.millis} (default 120).
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path log = Path.of(args[1]);
        int parallelism = Integer.parseInt(args[2]);
        Plan plan = plan(Long.getLong("synthetic.millis", 120), args.length > 3 ? args[3] : null);
        String only = System.getProperty("synthetic.only");
        if (only != null) {
            plan = new Plan(plan.study(), plan.steps().stream().filter(s -> s.label().equals(only)).toList());
        }
        RunSummary s = new LocalExecutor(parallelism, only != null).execute(plan, new StepStore(dir), commitLog(log));
        System.exit(s.ok() ? 0 : 3);
    }
}
