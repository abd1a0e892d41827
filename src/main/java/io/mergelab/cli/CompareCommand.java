package io.mergelab.cli;

import io.mergelab.report.StudyComparison;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Diffs two studies' results. */
@Command(name = "compare",
        description = "Compare two studies' results cell by cell (model × dataset): A, B and B − A, as Markdown.",
        mixinStandardHelpOptions = true)
final class CompareCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "A", description = "First study folder, e.g. outputs/drug_reviews.")
    Path a;

    @Parameters(index = "1", paramLabel = "B", description = "Second study folder.")
    Path b;

    @Option(names = "--metric", defaultValue = "accuracy", description = "Metric (default: ${DEFAULT-VALUE}).")
    String metric;

    @Option(names = "--split", defaultValue = "test", description = "Split (default: ${DEFAULT-VALUE}).")
    String split;

    @Override
    public Integer call() throws Exception {
        System.out.print(StudyComparison.markdown(a, b, metric, split));
        return 0;
    }
}
