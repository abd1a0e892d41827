package io.mergelab.cli;

import io.mergelab.track.JournalSync;
import io.mergelab.track.MlflowRest;
import io.mergelab.track.TrackingEndpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Starts (or reuses) the local MLflow server, syncs a study into it and prints where to look. */
@Command(name = "ui",
        description = {"Start (or reuse) the local MLflow server (bin/mlflow-server), sync the study's",
            "journals into it, and print the URL of the study's run comparison view."},
        mixinStandardHelpOptions = true)
final class UiCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "STUDY_DIR", arity = "0..1",
            description = "The study's output directory, e.g. outputs/quickstart (its name is the experiment).")
    Path studyDir;

    @Option(names = "--port", description = "Port of the local server (default: ${DEFAULT-VALUE}).", defaultValue = "5111")
    int port;

    @Option(names = "--tracking-uri", paramLabel = "URI",
            description = "Use this server instead of starting the local one.")
    String trackingUri;

    @Override
    public Integer call() throws IOException, InterruptedException {
        String uri = trackingUri != null ? trackingUri : startLocalServer();
        TrackingEndpoint endpoint = TrackingEndpoint.of(uri, System.getenv());
        var out = spec.commandLine().getOut();
        try (MlflowRest rest = new MlflowRest(endpoint)) {
            if (studyDir == null) {
                out.println("MLflow UI: " + endpoint.display() + "/#/experiments");
                return 0;
            }
            JournalSync.Result r = new JournalSync(rest, System.err).sync(studyDir);
            out.printf("synced %d journals (%d records)%n", r.journals(), r.recordsReplayed());
            // the experiment the journals recorded (tracking.experiment may rename it), else the study's name
            List<String> recorded = JournalSync.experiments(studyDir);
            String study = recorded.isEmpty() ? studyDir.toAbsolutePath().normalize().getFileName().toString()
                    : recorded.get(0);
            var experiments = rest.client().searchExperiments("name = '" + study.replace("'", "\\'") + "'").getItems();
            if (experiments.isEmpty()) {
                out.println("no runs of study '" + study + "' yet; MLflow UI: " + endpoint.display() + "/#/experiments");
                return 0;
            }
            String id = experiments.get(0).getExperimentId();
            List<String> runIds = rest.client().searchRuns(List.of(id), "", org.mlflow.api.proto.Service.ViewType.ACTIVE_ONLY,
                    1000).getItems().stream().map(run -> "%22" + run.getInfo().getRunId() + "%22").toList();
            out.println("runs of study '" + study + "': " + MlflowRest.runsUrl(endpoint.display(), id));
            out.println("comparison view: " + endpoint.display() + "/#/compare-runs?runs=[" + String.join(",", runIds)
                    + "]&experiments=[%22" + id + "%22]");
            return 0;
        }
    }

    /** Runs bin/mlflow-server start (idempotent) and returns the URL it prints. */
    private String startLocalServer() throws IOException, InterruptedException {
        Path script = Paths.home().resolve("bin/mlflow-server");
        List<String> cmd = new ArrayList<>(List.of(script.toString(), "start", "--port", Integer.toString(port)));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0 || !stdout.startsWith("http")) {
            throw new IllegalStateException(script + " start failed (exit " + p.exitValue() + "); see its messages above"
                    + (Files.exists(Paths.home().resolve("outputs/mlflow/server.log"))
                            ? " and outputs/mlflow/server.log" : ""));
        }
        return stdout.lines().reduce((a, b) -> b).orElseThrow();
    }
}
