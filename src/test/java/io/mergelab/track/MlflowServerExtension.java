package io.mergelab.track;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;

/**
 * One real MLflow server per test class: {@code @RegisterExtension static final MlflowServerExtension mlflow = new
 * MlflowServerExtension("prefix-");} starts it in a fresh work dir under target/mlflow-tests before the class and
 * stops it after.
 */
final class MlflowServerExtension implements BeforeAllCallback, AfterAllCallback {
    private final String prefix;
    private Path work;
    private MlflowTestServer server;
    private MlflowReader reader;

    MlflowServerExtension(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        work = MlflowTestServer.newWorkDir(prefix);
        server = MlflowTestServer.start(work.resolve("server"));
        reader = new MlflowReader(server.url());
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** The class's scratch dir (the server's files are in {@code server/} below it). */
    Path work() {
        return work;
    }

    MlflowTestServer server() {
        return server;
    }

    MlflowReader reader() {
        return reader;
    }
}
