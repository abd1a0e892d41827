package io.mergelab.cli;

import io.mergelab.track.JournalSync;
import io.mergelab.track.MlflowRest;
import io.mergelab.track.TrackingEndpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Replays a study's offline tracking journals into an MLflow server, exactly once. */
@Command(name = "sync",
        description = {"Replay the offline MLflow journals of a study (written while the server was down).",
            "Each journal remembers what was replayed, so running sync again sends nothing twice."},
        mixinStandardHelpOptions = true)
final class SyncCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "STUDY_DIR", description = "The study's output directory, e.g. outputs/quickstart.")
    Path studyDir;

    @Option(names = "--tracking-uri", paramLabel = "URI",
            description = "MLflow server (default: $MLFLOW_TRACKING_URI; credentials from MLFLOW_TRACKING_TOKEN "
                    + "or MLFLOW_TRACKING_USERNAME/PASSWORD).")
    String trackingUri;

    @Override
    public Integer call() {
        TrackingEndpoint endpoint = trackingUri != null ? TrackingEndpoint.of(trackingUri, System.getenv())
                : TrackingEndpoint.fromEnvironment(System.getenv()).orElseThrow(() -> new IllegalArgumentException(
                        "no tracking server: pass --tracking-uri http://127.0.0.1:5111 or set MLFLOW_TRACKING_URI "
                                + "(bin/mlflow-server start prints the URI)"));
        try (MlflowRest rest = new MlflowRest(endpoint)) {
            JournalSync.Result r = new JournalSync(rest, System.err).sync(studyDir);
            spec.commandLine().getOut().printf("synced %s to %s: %d journals, %d records replayed%s%n", studyDir,
                    endpoint.display(), r.journals(), r.recordsReplayed(),
                    r.stillPending().isEmpty() ? "" : ", " + r.stillPending().size() + " journals still pending");
            for (String what : r.rejected()) {
                spec.commandLine().getErr().println("mergelab: sync: not delivered: " + what);
            }
            return r.stillPending().isEmpty() && r.rejected().isEmpty() ? 0 : 1;
        }
    }
}
