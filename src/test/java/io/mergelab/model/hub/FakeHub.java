package io.mergelab.model.hub;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face hub on 127.0.0.1 for tests: {@code /REPO/resolve/REV/FILE} with the hub's headers
 * (X-Repo-Commit; quoted ETag = git blob sha1 for small files; for LFS files a 302 to a CDN on another port
 * with X-Linked-Etag = sha256 and X-Linked-Size), 404 EntryNotFound / 401 RepoNotFound like the hub, and a
 * CDN that honours {@code Range: bytes=N-} with 206. Faults can be switched on per file.
 */
final class FakeHub implements AutoCloseable {
    record Repo(String id, String commit, Map<String, byte[]> files, Set<String> lfs, String token) {}

    record Request(String server, String method, String path, String authorization, String range) {}

    private final HttpServer hub;
    private final HttpServer cdn;
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final Map<String, byte[]> cdnBlobs = new ConcurrentHashMap<>();
    /** file name -> bytes after which the next GET of it is cut off (once each). */
    private final Map<String, Integer> cutAfter = new ConcurrentHashMap<>();
    /** file name -> bytes after which the next GET of it stops sending (for STALL_MILLIS) before dropping. */
    private final Map<String, Integer> stallAfter = new ConcurrentHashMap<>();
    static final int STALL_MILLIS = 3000;
    private final Set<String> corrupt = ConcurrentHashMap.newKeySet();
    private final AtomicInteger failNextHeads = new AtomicInteger();
    final List<Request> requests = new CopyOnWriteArrayList<>();

    FakeHub() throws IOException {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        hub = HttpServer.create(any, 0);
        cdn = HttpServer.create(any, 0);
        hub.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        cdn.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());   // a stalled reply must not block retries
        hub.createContext("/", this::handleHub);
        cdn.createContext("/", this::handleCdn);
        hub.start();
        cdn.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
    }

    Repo addRepo(String id, String commit, Map<String, byte[]> files, Set<String> lfs, String token) {
        Repo r = new Repo(id, commit, Map.copyOf(files), Set.copyOf(lfs), token);
        repos.put(id, r);
        for (String name : lfs) {
            cdnBlobs.put(sha256(files.get(name)), files.get(name));
        }
        return r;
    }

    void cutOffNextGet(String filename, int afterBytes) {
        cutAfter.put(filename, afterBytes);
    }

    void stallNextGet(String filename, int afterBytes) {
        stallAfter.put(filename, afterBytes);
    }

    void corruptOnCdn(String filename) {
        corrupt.add(filename);
    }

    void failNextHeads(int count) {
        failNextHeads.set(count);
    }

    List<Request> requests(String server, String method) {
        return requests.stream().filter(r -> r.server().equals(server) && r.method().equals(method)).toList();
    }

    private static final Pattern RESOLVE = Pattern.compile("^/(.+?)/resolve/([^/]+)/(.+)$");

    private void handleHub(HttpExchange ex) throws IOException {
        try (ex) {
            log("hub", ex);
            if (ex.getRequestMethod().equals("HEAD") && failNextHeads.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                send(ex, 503, new byte[0]);
                return;
            }
            Matcher m = RESOLVE.matcher(ex.getRequestURI().getRawPath());
            if (!m.matches()) {
                send(ex, 404, new byte[0]);
                return;
            }
            Repo repo = repos.get(m.group(1));
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (repo == null || (repo.token() != null && !("Bearer " + repo.token()).equals(auth))) {
                ex.getResponseHeaders().set("X-Error-Code", "RepoNotFound");
                send(ex, 401, new byte[0]);
                return;
            }
            String rev = URLDecoder.decode(m.group(2), StandardCharsets.UTF_8);
            if (!rev.equals("main") && !rev.equals(repo.commit())) {
                ex.getResponseHeaders().set("X-Error-Code", "RevisionNotFound");
                send(ex, 404, new byte[0]);
                return;
            }
            String file = URLDecoder.decode(m.group(3), StandardCharsets.UTF_8);
            Headers h = ex.getResponseHeaders();
            h.set("X-Repo-Commit", repo.commit());
            byte[] content = repo.files().get(file);
            if (content == null) {
                h.set("X-Error-Code", "EntryNotFound");
                send(ex, 404, new byte[0]);
                return;
            }
            if (repo.lfs().contains(file)) {
                String sha = sha256(content);
                h.set("ETag", "\"" + gitBlobSha1(("version https://git-lfs.github.com/spec/v1\noid sha256:" + sha)
                        .getBytes(StandardCharsets.UTF_8)) + "\"");   // the pointer's id, which clients must ignore
                h.set("X-Linked-Etag", "\"" + sha + "\"");
                h.set("X-Linked-Size", Long.toString(content.length));
                h.set("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/cdn/" + sha
                        + "?filename=" + file + "&signature=fake");
                send(ex, 302, new byte[0]);
                return;
            }
            h.set("ETag", "\"" + gitBlobSha1(content) + "\"");
            sendRanged(ex, file, content);
        }
    }

    private void handleCdn(HttpExchange ex) throws IOException {
        try (ex) {
            log("cdn", ex);
            String path = ex.getRequestURI().getPath();
            byte[] content = path.startsWith("/cdn/") ? cdnBlobs.get(path.substring(5)) : null;
            if (content == null) {
                send(ex, 404, new byte[0]);
                return;
            }
            String q = ex.getRequestURI().getQuery();
            String file = q.substring(q.indexOf("filename=") + 9, q.indexOf('&'));
            if (corrupt.contains(file)) {
                content = content.clone();
                content[content.length / 2] ^= 0x5a;
            }
            sendRanged(ex, file, content);
        }
    }

    private void sendRanged(HttpExchange ex, String file, byte[] content) throws IOException {
        int start = 0;
        String range = ex.getRequestHeaders().getFirst("Range");
        Headers h = ex.getResponseHeaders();
        h.set("Accept-Ranges", "bytes");
        if (range != null) {
            Matcher m = Pattern.compile("bytes=(\\d+)-").matcher(range);
            if (!m.matches() || Integer.parseInt(m.group(1)) >= content.length) {
                h.set("Content-Range", "bytes */" + content.length);
                send(ex, 416, new byte[0]);
                return;
            }
            start = Integer.parseInt(m.group(1));
            h.set("Content-Range", "bytes " + start + "-" + (content.length - 1) + "/" + content.length);
        }
        int status = range != null ? 206 : 200;
        int length = content.length - start;
        if (ex.getRequestMethod().equals("HEAD")) {
            h.set("Content-Length", Integer.toString(length));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        Integer cut = ex.getRequestMethod().equals("GET") ? cutAfter.remove(file) : null;
        Integer stall = ex.getRequestMethod().equals("GET") ? stallAfter.remove(file) : null;
        ex.sendResponseHeaders(status, length);
        OutputStream out = ex.getResponseBody();
        if (stall != null) {
            out.write(content, start, Math.min(stall, length));
            out.flush();
            try {
                Thread.sleep(STALL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        if (cut != null) {
            out.write(content, start, Math.min(cut, length));
            out.flush();
            // Closing the exchange with bytes owed drops the connection: the client sees a cut-off body.
            return;
        }
        out.write(content, start, length);
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        if (ex.getRequestMethod().equals("HEAD") || body.length == 0) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    private void log(String server, HttpExchange ex) {
        var h = ex.getRequestHeaders();
        requests.add(new Request(server, ex.getRequestMethod(), ex.getRequestURI().getRawPath(),
                h.getFirst("Authorization"), h.getFirst("Range")));
    }

    static String sha256(byte[] b) {
        return digest("SHA-256", b);
    }

    static String gitBlobSha1(byte[] b) {
        byte[] prefix = ("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[prefix.length + b.length];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        System.arraycopy(b, 0, all, prefix.length, b.length);
        return digest("SHA-1", all);
    }

    private static String digest(String alg, byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(alg).digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        hub.stop(0);
        cdn.stop(0);
        ((java.util.concurrent.ExecutorService) hub.getExecutor()).shutdownNow();
        ((java.util.concurrent.ExecutorService) cdn.getExecutor()).shutdownNow();
    }
}
