package io.mergelab.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code mergelab fetch-model} against a minimal hub on 127.0.0.1. */
class FetchModelCommandTest {
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path tmp;

    @Test
    void printsTheSnapshotPathAndExplainsAPickleOnlyRepo() throws Exception {
        byte[] config = "{\"model_type\": \"gpt2\"}".getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            try (ex) {
                String path = ex.getRequestURI().getPath();
                ex.getResponseHeaders().set("X-Repo-Commit", COMMIT);
                boolean good = path.startsWith("/org/good/");
                if (path.endsWith("/config.json") || (good && path.endsWith("/model.safetensors"))) {
                    ex.getResponseHeaders().set("ETag", "\"" + gitSha1(config) + "\"");
                    ex.getResponseHeaders().set("Content-Length", Integer.toString(config.length));
                    boolean head = ex.getRequestMethod().equals("HEAD");
                    ex.sendResponseHeaders(200, head ? -1 : config.length);
                    if (!head) {
                        ex.getResponseBody().write(config);
                    }
                } else if (!good && path.endsWith("/pytorch_model.bin")) {
                    ex.getResponseHeaders().set("ETag", "\"" + gitSha1(config) + "\"");
                    ex.sendResponseHeaders(200, -1);
                } else {
                    ex.getResponseHeaders().set("X-Error-Code", "EntryNotFound");
                    ex.sendResponseHeaders(404, -1);
                }
            }
        });
        server.start();
        try {
            String endpoint = "http://127.0.0.1:" + server.getAddress().getPort();
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "fetch-model",
                    "org/pickled", "--cache", tmp.toString(), "--endpoint", endpoint);
            assertEquals(1, code);
            assertTrue(err.toString().startsWith("mergelab: error: org/pickled has only pytorch_model.bin"), err.toString());
            assertTrue(err.toString().contains("safe_serialization=True"), err.toString());

            StringWriter fetched = new StringWriter();
            StringWriter fetchErr = new StringWriter();
            assertEquals(0, Main.execute(new PrintWriter(fetched, true), new PrintWriter(fetchErr, true), "fetch-model",
                    "org/good@main", "--cache", tmp.toString(), "--endpoint", endpoint), fetchErr.toString());
            Path snapshot = tmp.resolve("models--org--good/snapshots").resolve(COMMIT);
            assertEquals(snapshot.toString(), fetched.toString().strip());
            assertTrue(Files.isSymbolicLink(snapshot.resolve("model.safetensors")));

            StringWriter usage = new StringWriter();
            assertEquals(1, Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(usage, true),
                    "fetch-model", "not/a/hub/id", "--cache", tmp.toString(), "--endpoint", endpoint));
            assertTrue(usage.toString().contains("is not a hub model id"), usage.toString());
        } finally {
            server.stop(0);
        }
    }

    static String gitSha1(byte[] b) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-1");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        md.update(("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII));
        return HexFormat.of().formatHex(md.digest(b));
    }
}
