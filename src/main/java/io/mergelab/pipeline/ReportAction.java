package io.mergelab.pipeline;

import io.mergelab.report.StudyReport;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds {@code outputs/<study>/report/} from the results on disk (the same code as {@code mergelab report}),
 * replacing the previous report in one rename; the step folder records where it went.
 */
record ReportAction(String metric, String split, boolean plots, String note) implements StepAction {
    @Override
    public void run(StepContext ctx) throws Exception {
        Path staged = ctx.workDir().resolve("report");
        new StudyReport(new StudyReport.Settings(metric, split, plots, note)).write(ctx.studyDir(), ctx.plan().steps()
                .stream().filter(s -> ctx.step().deps().contains(s.id())).map(Step::id).toList(), staged);
        Path target = ctx.studyDir().resolve("report");
        Path copy = ctx.studyDir().resolve(".tmp").resolve("report-" + ctx.step().id());
        StepStore.deleteRecursively(copy);
        Files.createDirectories(copy.getParent());
        copyTree(staged, copy);
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
