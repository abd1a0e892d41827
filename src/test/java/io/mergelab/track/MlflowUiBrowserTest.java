package io.mergelab.track;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Opens the MLflow UI's run comparison view in headless Debian chromium, as a person would, and checks the
 * rendered DOM (the UI is a React app: the DOM is dumped after a virtual-time budget lets it render).
 * Saves the screenshot as {@value #SCREENSHOT} (tests write only under target/); to refresh the tracked copy, after
 * this test: {@code cp target/mlflow-ui/mlflow-ui.png docs/mlflow-ui.png}.
 */
@Tag("browser")
class MlflowUiBrowserTest {
    static final String SCREENSHOT = "target/mlflow-ui/mlflow-ui.png";

    @Test
    void comparisonViewShowsRunsAndMetrics() throws Exception {
        String chromium = ensureChromium();
        Path work = MlflowTestServer.newWorkDir("ui-");
        try (MlflowTestServer server = MlflowTestServer.start(work.resolve("server"));
                MlflowTracker tracker = new MlflowTracker(server.endpoint(), System.err)) {
            Path study = work.resolve("outputs/quickstart");
            TrackedRun parent = tracker.startStudy(RunSpec.of("quickstart", "study", "quickstart", study));
            List<String> ids = new ArrayList<>();
            for (int slice = 0; slice < 2; slice++) {
                TrackedRun ft = tracker.startStep(parent, RunSpec.of("quickstart", "ft/yelp/slice-" + slice,
                        "ft/yelp/slice-" + slice, study.resolve("ft-" + slice)));
                ft.logParams(Map.of("training", Map.of("learning_rate", 5e-5 * (slice + 1))));
                for (int s = 0; s < 5; s++) {
                    ft.logMetric("train.loss", 1.0 / (s + 1 + slice), s);
                }
                ft.logMetric("test.yelp.accuracy", 0.8 + slice * 0.05, 0);
                ft.end(RunStatus.FINISHED);
                ids.add("%22" + ft.runId().orElseThrow() + "%22");
            }
            parent.end(RunStatus.FINISHED);
            String exp = new MlflowReader(server.url()).experimentId("quickstart");
            String url = server.url() + "/#/compare-runs?runs=[" + String.join(",", ids) + "]&experiments=[%22" + exp + "%22]";

            String dom = run(chromium, work, "--dump-dom", url);
            String text = dom.replaceAll("(?s)<script.*?</script>|<style.*?</style>", " ").replaceAll("<[^>]+>", " ");
            assertTrue(text.contains("ft/yelp/slice-0") && text.contains("ft/yelp/slice-1"), "run names in " + excerpt(text));
            assertTrue(text.contains("test.yelp.accuracy") && text.contains("train.loss"), "metric rows in " + excerpt(text));
            assertTrue(text.contains("training.learning_rate"), "param rows in " + excerpt(text));

            // the experiment's address `ui` prints opens on its runs table, not on the GenAI traces overview
            String landing = run(chromium, work, "--dump-dom", MlflowRest.runsUrl(server.url(), exp));
            String landingText = landing.replaceAll("(?s)<script.*?</script>|<style.*?</style>", " ")
                    .replaceAll("<[^>]+>", " ").replaceAll("(&nbsp;|[\\s\u00a0])+", " ");
            // (the runs table: the study run with its two steps folded under it; not "Traces 0 No data available")
            assertTrue(landingText.contains("Run Name") && landingText.contains("3 matching runs")
                    && !landingText.contains("No data available"), "the runs table: " + excerpt(landingText));

            Path png = work.resolve("mlflow-ui.png");
            run(chromium, work, "--window-size=1400,1000", "--screenshot=" + png, url);
            assertTrue(Files.size(png) > 10_000, "screenshot " + png);
            Path kept = Path.of(SCREENSHOT);
            Files.createDirectories(kept.getParent());
            Files.copy(png, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String excerpt(String text) {
        String t = text.replaceAll("\\s+", " ");
        return t.length() > 2000 ? t.substring(0, 2000) : t;
    }

    private static String run(String chromium, Path work, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + Files.createTempDirectory(work, "chromium-"),
                "--virtual-time-budget=20000"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        // bin/native-env preloads jemalloc for the JVM; chromium's own allocator aborts under it (exit 134)
        pb.environment().remove("LD_PRELOAD");
        pb.environment().remove("MALLOC_CONF");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroy();
            throw new AssertionError("chromium did not finish in 2 min");
        }
        assertEquals(0, p.exitValue(), "chromium exit code");
        return out;
    }

    /** Debian's chromium; installed with apt-get when missing (CI runs as root). */
    private static String ensureChromium() throws IOException, InterruptedException {
        for (String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
            if (Files.isExecutable(Path.of(c))) {
                return c;
            }
        }
        String sudo = "root".equals(System.getProperty("user.name")) ? "" : "sudo ";
        Process p = new ProcessBuilder("bash", "-c", sudo + "apt-get update -qq && DEBIAN_FRONTEND=noninteractive "
                + sudo + "apt-get install -y -qq chromium").inheritIO().start();
        assertEquals(0, p.waitFor(), "apt-get install chromium");
        return "/usr/bin/chromium";
    }
}
