package io.mergelab.cli;

import io.mergelab.report.StudyReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Rebuilds a study's report from what is on disk. */
@Command(name = "report",
        description = {"Rebuild outputs/<study>/report/ (results.csv, results.md, results.tex, plots/) from the",
            "finished steps on disk; nothing is recomputed."},
        mixinStandardHelpOptions = true)
final class ReportCommand implements Callable<Integer> {

    @Parameters(paramLabel = "STUDY_DIR", description = "A study's output folder, e.g. outputs/quickstart.")
    Path studyDir;

    @Option(names = "--metric", defaultValue = "accuracy",
            description = "Main-table metric: accuracy, macro_f1, weighted_f1, loss, ece (default: ${DEFAULT-VALUE}).")
    String metric;

    @Option(names = "--split", defaultValue = "test", description = "Main-table split (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--no-plots", description = "Tables only.")
    boolean noPlots;

    @Option(names = "--out", paramLabel = "DIR", description = "Write here instead of STUDY_DIR/report.")
    Path out;

    @Override
    public Integer call() throws Exception {
        Path target = out != null ? out : studyDir.resolve("report");
        new StudyReport(new StudyReport.Settings(metric, split, !noPlots, null,
                io.mergelab.merge.MethodRegistry.load().displayNames(), StudyReport.Settings.DEFAULT_DECIMALS,
                StudyReport.Settings.DEFAULT_BOOTSTRAP)).write(studyDir, null, target);
        System.out.println("report: " + target.resolve("results.md"));
        return 0;
    }
}
