package io.mergelab.track;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real MLflow server started through {@code bin/mlflow-server} on a free port with its own directory.
 * Nothing is skipped: if it cannot start, the test fails with the server's log tail.
 */
final class MlflowTestServer implements AutoCloseable {
    final Path dir;
    final int port;

    private MlflowTestServer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** A fresh folder under target/mlflow-tests for one test class's server and study outputs. */
    static Path newWorkDir(String prefix) throws IOException {
        Path root = Files.createDirectories(Path.of("target/mlflow-tests").toAbsolutePath());
        return Files.createTempDirectory(root, prefix);
    }

    static MlflowTestServer start(Path dir) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        MlflowTestServer server = new MlflowTestServer(dir, port);
        server.restart();
        return server;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    TrackingEndpoint endpoint() {
        return TrackingEndpoint.of(url(), Map.of());
    }

    void restart() throws IOException, InterruptedException {
        Result r = script("start", "--port", Integer.toString(port), "--dir", dir.toString());
        if (r.code != 0) {
            throw new AssertionError("bin/mlflow-server start failed (exit " + r.code + "):\n" + r.output
                    + "\n--- server.log tail ---\n" + logTail());
        }
    }

    void stop() throws IOException, InterruptedException {
        Result r = script("stop", "--dir", dir.toString());
        if (r.code != 0) {
            throw new AssertionError("bin/mlflow-server stop failed: " + r.output);
        }
    }

    String logTail() throws IOException {
        Path log = dir.resolve("server.log");
        if (!Files.exists(log)) {
            return "(no server.log)";
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    record Result(int code, String output) {}

    static Result script(String... args) throws IOException, InterruptedException {
        Path script = Path.of("bin/mlflow-server").toAbsolutePath();
        List<String> cmd = new java.util.ArrayList<>(List.of(script.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        // first use installs mlflow into .cache/mlflow-venv (a minute or two)
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroy();
            throw new AssertionError("bin/mlflow-server " + String.join(" ", args) + " did not finish in 10 min");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        stop();
    }
}
