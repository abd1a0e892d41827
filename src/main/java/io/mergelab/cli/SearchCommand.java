package io.mergelab.cli;

import io.mergelab.yaml.Mark;
import io.mergelab.merge.MethodRegistry;
import io.mergelab.search.SearchConfig;
import io.mergelab.search.SearchConfigParser;
import io.mergelab.search.SearchRunner;
import io.mergelab.track.MlflowTracker;
import io.mergelab.track.NoopTracker;
import io.mergelab.track.Tracker;
import io.mergelab.track.TrackingEndpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/** Searches merge parameters (grid, best-of-n random, CMA-ES) on validation data; resumable. */
@Command(name = "search",
        description = {"Search merge parameters (grid, random best-of-n as LUNK, CMA-ES as mergekit-evolve) scored",
            "on validation data. Candidates are merged in memory; the best k are written; the best is evaluated",
            "once on test. Rerun the same command to resume a killed search from OUT/journal.jsonl."},
        mixinStandardHelpOptions = true)
final class SearchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SEARCH.yaml", description = "Search config (a search: section, or its keys at the top).")
    Path file;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: outputs/search/<name>).")
    Path out;

    @Option(names = "--tracking-uri", paramLabel = "URI",
            description = "MLflow server (default: $MLFLOW_TRACKING_URI; none: candidates are not tracked).")
    String trackingUri;

    @Option(names = "--restart", description = "Discard the journal in DIR and start the search over.")
    boolean restart;

    @Option(names = "--no-progress", description = "Do not draw a progress bar.")
    boolean noProgress;

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() throws Exception {
        SearchConfig config = SearchConfigParser.parseFile(file);
        Path dir = out != null ? out : Path.of("outputs", "search", config.name());
        if (restart) {
            Files.deleteIfExists(dir.resolve("journal.jsonl"));
        }
        Optional<TrackingEndpoint> endpoint = trackingUri != null
                ? Optional.of(TrackingEndpoint.of(trackingUri, System.getenv()))
                : TrackingEndpoint.fromEnvironment(System.getenv());
        try (Tracker tracker = endpoint.<Tracker>map(e -> new MlflowTracker(e, System.err))
                .orElseGet(NoopTracker::new)) {
            SearchRunner.Result r = new SearchRunner(config, MethodRegistry.load(), tracker,
                    Mark.of(file.toString())).run(new SearchRunner.Options(dir, !noProgress, System.err,
                            device.choose()));
            PrintWriter o = spec.commandLine().getOut();
            o.printf("search %s: %d candidates (%d evaluated now, %d from the journal)%n", config.name(), r.total(),
                    r.evaluatedNow(), r.replayed());
            o.printf("best: candidate %d %s, validation %s %.4f, test %.4f%n", r.bestIndex(), r.bestValues(),
                    config.objective().metric(), r.bestValidation(), r.bestTest());
            for (SearchRunner.BaselineResult b : r.baselines()) {
                o.printf("baseline %s %s: validation %.4f, test %.4f%n", b.name(), b.values(), b.validation(),
                        b.test());
            }
            o.printf("wrote %s, %s, %s%n", r.bestConfig(), r.plot(), r.summary());
            o.flush();
            return 0;
        }
    }
}
