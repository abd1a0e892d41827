package io.mergelab.pipeline;

import io.mergelab.report.StudyReport;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds {@code outputs/<study>/report/} from the results on disk (the same code as {@code mergelab report}),
 * replacing the previous report in one rename; the step folder records where it went.
 */
record ReportAction(StudyReport.Settings settings) implements StepAction {
    @Override
    public void run(StepContext ctx) throws Exception {
        Path staged = ctx.workDir().resolve("report");
        new StudyReport(settings).write(ctx.studyDir(), ctx.plan().steps()
                .stream().filter(s -> ctx.step().deps().contains(s.id())).map(Step::id).toList(), staged);
        publish(ctx.studyDir(), staged, ctx.step().id());
    }

    /** Names the report step {@code outputs/<study>/report/} was published from. */
    static final String OWNER = ".report-step";

    /**
     * Makes {@code outputs/<study>/report/} a copy of {@code source}, the report of step {@code stepId}, in one
     * rename, unless it already is: a study run with other report settings and then with the first ones again
     * finds its report step done, and the folder must still show that step's report, not the last one written.
     */
    static void publish(Path studyDir, Path source, String stepId) throws java.io.IOException {
        Path target = studyDir.resolve("report");
        Path owner = target.resolve(OWNER);
        if (Files.isRegularFile(owner) && Files.readString(owner).strip().equals(stepId)) {
            return;
        }
        Path copy = studyDir.resolve(".tmp").resolve("report-" + stepId);
        StepStore.deleteRecursively(copy);
        Files.createDirectories(copy.getParent());
        copyTree(source, copy);
        Files.writeString(copy.resolve(OWNER), stepId + "\n");
        StepStore.replaceDir(copy, target);
    }

    static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }
}
