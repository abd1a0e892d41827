package io.mergelab.model.hub;

import io.mergelab.model.hub.ModelReference.HubId;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hub's file protocol, as huggingface_hub speaks it: HEAD {@code ENDPOINT/REPO/resolve/REV/FILE} for the
 * commit, etag and size (following redirects on the hub, stopping at one to a CDN, whose URL is then
 * downloaded), and a GET that appends to a partial file with a {@code Range} header. The token goes only to the
 * endpoint's own origin (never to a CDN) and never into a message. Retries connection errors, 429 and 5xx
 * with doubling backoff.
 */
final class HubClient {
    /** Files at least this large show a progress bar. */
    static final long PROGRESS_MIN_BYTES = 8L << 20;
    private static final int MAX_REDIRECTS = 10;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    private final HubSettings settings;
    private final HttpClient http;
    private final PrintStream progressOut;
    private final String userAgent;

    /** @param progressOut where progress bars go (stderr for the CLI), or null for none */
    HubClient(HubSettings settings, PrintStream progressOut) {
        this.settings = settings;
        this.progressOut = progressOut;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)   // by hand: the token must not follow to a CDN
                .build();
        String version = Optional.ofNullable(HubClient.class.getPackage().getImplementationVersion()).orElse("dev");
        this.userAgent = "mergelab/" + version + "; java/" + Runtime.version().feature();
    }

    URI resolveUrl(HubId id, String revision, String filename) {
        StringBuilder path = new StringBuilder();
        for (String part : HubCache.checkRelative(filename).split("/")) {
            path.append('/').append(encode(part));
        }
        return URI.create(settings.endpoint() + "/" + id.repoId() + "/resolve/" + encode(revision) + path);
    }

    /** Metadata of one file; {@link HubException.EntryNotFound} when the repository has no such file. */
    RemoteFile head(HubId id, String revision, String filename) {
        URI url = resolveUrl(id, revision, filename);
        HttpResponse<Void> r = withRetries("HEAD " + url, () -> {
            URI current = url;
            for (int i = 0; i <= MAX_REDIRECTS; i++) {
                HttpResponse<Void> response = http.send(request(current, "HEAD", -1),
                        HttpResponse.BodyHandlers.discarding());
                int status = response.statusCode();
                Optional<String> location = response.headers().firstValue("Location");
                if (isRedirect(status) && location.isPresent()) {
                    URI target = current.resolve(location.get());
                    if (sameOrigin(target, settings.endpoint())) {
                        current = target;   // a renamed repo on the hub itself
                        continue;
                    }
                    return response;        // CDN: metadata is on this response
                }
                return response;
            }
            throw new HubException("HEAD " + url + ": more than " + MAX_REDIRECTS + " redirects");
        });
        int status = r.statusCode();
        if (status >= 400) {
            throw statusError(id, revision, filename, r, url);
        }
        var headers = r.headers();
        String commit = headers.firstValue("X-Repo-Commit").orElseThrow(() -> new HubException("HEAD " + url
                + ": the response has no X-Repo-Commit header, so " + settings.endpoint()
                + " does not look like a Hugging Face hub (check HF_ENDPOINT, proxy and firewall)"));
        Optional<String> linkedEtag = headers.firstValue("X-Linked-Etag");
        String etag = RemoteFile.normalizeEtag(linkedEtag.or(() -> headers.firstValue("ETag")).orElse(null));
        if (etag == null) {
            throw new HubException("HEAD " + url + ": no ETag; cannot store " + filename
                    + " in the cache reproducibly");
        }
        long size = headers.firstValue("X-Linked-Size")
                .or(() -> isRedirect(status) ? Optional.empty() : headers.firstValue("Content-Length"))
                .map(HubClient::parseLongOrMinus1).orElse(-1L);
        URI location = isRedirect(status) ? r.uri().resolve(headers.firstValue("Location").orElseThrow()) : r.uri();
        return new RemoteFile(filename, commit, etag, size, location, linkedEtag.isPresent());
    }

    /**
     * Downloads {@code file} into {@code partial}, continuing from whatever bytes it already holds (an earlier
     * interrupted run or an interrupted attempt of this one), until it has {@code file.size()} bytes.
     */
    void download(HubId id, RemoteFile file, Path partial) throws IOException {
        Files.createDirectories(partial.getParent());
        long expected = file.size();
        ProgressBar bar = null;
        try (FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            int failures = 0;
            IOException last = null;
            while (true) {
                long pos = out.size();
                if (expected >= 0 && pos == expected) {
                    return;
                }
                if (expected >= 0 && pos > expected) {
                    out.truncate(0);
                    pos = 0;
                }
                if (bar == null && progressOut != null && expected >= PROGRESS_MIN_BYTES) {
                    bar = new ProgressBarBuilder().setTaskName(shortName(file.filename())).setInitialMax(expected)
                            .setStyle(ProgressBarStyle.ASCII).setUnit("MiB", 1 << 20).showSpeed()
                            .setUpdateIntervalMillis(500).setConsumer(new ConsoleProgressBarConsumer(progressOut))
                            .startsFrom(pos, Duration.ZERO).build();
                }
                long before = pos;
                try {
                    boolean complete = getOnce(id, file, out, pos, bar);
                    if (complete && (expected < 0 || out.size() == expected)) {
                        return;
                    }
                    last = new IOException("connection closed after " + out.size() + " of " + expected + " bytes");
                } catch (RetryableStatus e) {
                    last = new IOException(e.getMessage());
                } catch (IOException e) {
                    last = e;
                }
                if (out.size() > before) {
                    failures = 0;   // made progress: as huggingface_hub, only consecutive failures count
                }
                if (++failures > settings.retries()) {
                    throw new HubException.Unreachable(id + ": download of " + file.filename() + " failed after "
                            + failures + " attempts at byte " + out.size() + " of " + expected + " (" + message(last)
                            + "); the partial file " + partial + " is kept and the next run resumes it", last);
                }
                sleepBackoff(failures);
            }
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
    }

    /** One GET from {@code pos}; true when the body ended normally. */
    private boolean getOnce(HubId id, RemoteFile file, FileChannel out, long pos, ProgressBar bar)
            throws IOException, RetryableStatus {
        URI url = file.location();
        HttpResponse<InputStream> response = null;
        for (int i = 0; i <= MAX_REDIRECTS; i++) {
            response = send(request(url, "GET", pos));
            int status = response.statusCode();
            Optional<String> location = response.headers().firstValue("Location");
            if (isRedirect(status) && location.isPresent()) {
                response.body().close();
                url = url.resolve(location.get());
                continue;
            }
            break;
        }
        int status = response.statusCode();
        try (InputStream body = response.body()) {
            if (status == 429 || status >= 500) {
                throw new RetryableStatus("GET " + url + ": HTTP " + status);
            }
            if (status == 416) {
                out.truncate(0);   // our partial file does not fit the server's: start over
                throw new RetryableStatus("GET " + url + ": HTTP 416 for bytes=" + pos + "-");
            }
            if (status != 200 && status != 206) {
                throw new HubException(id + ": GET " + url + " for " + file.filename() + ": HTTP " + status);
            }
            long start = 0;
            if (status == 206) {
                Matcher m = CONTENT_RANGE.matcher(response.headers().firstValue("Content-Range").orElse(""));
                start = m.matches() ? Long.parseLong(m.group(1)) : -1;
                if (start != pos) {
                    out.truncate(0);
                    throw new RetryableStatus("GET " + url + ": asked for bytes from " + pos
                            + ", got Content-Range " + response.headers().firstValue("Content-Range").orElse("(none)"));
                }
            }
            out.truncate(start);   // a 200 to a Range request means the server ignored it: rewrite from 0
            out.position(start);
            if (bar != null && start != pos) {
                bar.stepTo(start);
            }
            try (StallGuard guard = new StallGuard(body, settings.timeout())) {
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = body.read(buf)) >= 0) {
                    guard.progress();
                    ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                    while (bb.hasRemaining()) {
                        out.write(bb);
                    }
                    if (bar != null) {
                        bar.stepBy(n);
                    }
                }
                if (guard.fired()) {
                    throw new IOException("no data for " + settings.timeout().toSeconds() + " s");
                }
            }
            return true;
        }
    }

    private HttpResponse<InputStream> send(HttpRequest request) throws IOException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
    }

    private HttpRequest request(URI url, String method, long rangeFrom) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url)
                .timeout(settings.timeout())
                .method(method, HttpRequest.BodyPublishers.noBody())
                .header("User-Agent", userAgent)
                .header("Accept-Encoding", "identity");   // sizes and hashes are of the stored bytes
        if (rangeFrom > 0) {
            b.header("Range", "bytes=" + rangeFrom + "-");
        }
        if (settings.token().isPresent() && sameOrigin(url, settings.endpoint())) {
            b.header("Authorization", "Bearer " + settings.token().get());
        }
        return b.build();
    }

    private HubException statusError(HubId id, String revision, String filename, HttpResponse<?> r, URI url) {
        int status = r.statusCode();
        String code = r.headers().firstValue("X-Error-Code").orElse("");
        String tokenNote = settings.token().isPresent() ? "a token is set (HF_TOKEN)" : "no token is set (HF_TOKEN)";
        String commit = r.headers().firstValue("X-Repo-Commit").orElse(null);
        if (status == 404 && (code.equals("EntryNotFound") || (code.isEmpty() && commit != null))) {
            return new HubException.EntryNotFound(id.repoId() + "@" + revision + " has no file " + filename, commit);
        }
        if (code.equals("RevisionNotFound")) {
            return new HubException("revision '" + revision + "' not found in " + id.repoId() + " on "
                    + settings.endpoint());
        }
        if (code.equals("GatedRepo")) {
            return new HubException(id.repoId() + " is gated: accept its terms on " + settings.endpoint() + "/"
                    + id.repoId() + " and set HF_TOKEN to a token of that account (" + tokenNote + ")");
        }
        if (status == 401 || status == 403 || status == 404 || code.equals("RepoNotFound")) {
            return new HubException("repository " + id.repoId() + " not found on " + settings.endpoint()
                    + " (HTTP " + status + "); it may be private or misspelt, and " + tokenNote
                    + "; a local checkpoint directory of that name does not exist either");
        }
        return new HubException("HEAD " + url + ": HTTP " + status);
    }

    private interface Call<T> {
        T call() throws IOException, InterruptedException;
    }

    private <T extends HttpResponse<?>> T withRetries(String what, Call<T> call) {
        IOException last = null;
        for (int attempt = 0; attempt <= settings.retries(); attempt++) {
            if (attempt > 0) {
                sleepBackoff(attempt);
            }
            try {
                T r = call.call();
                if (r.statusCode() == 429 || r.statusCode() >= 500) {
                    last = new IOException("HTTP " + r.statusCode());
                    continue;
                }
                return r;
            } catch (IOException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HubException(what + ": interrupted");
            }
        }
        throw new HubException.Unreachable(what + " failed after " + (settings.retries() + 1) + " attempts: "
                + message(last), last);
    }

    private void sleepBackoff(int attempt) {
        long ms = settings.backoff().toMillis() << Math.min(attempt - 1, 3);   // 1, 2, 4, 8 x backoff
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException("interrupted while waiting to retry");
        }
    }

    static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(lower(a.getScheme()), lower(b.getScheme()))
                && Objects.equals(lower(a.getHost()), lower(b.getHost())) && port(a) == port(b);
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static long parseLongOrMinus1(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String shortName(String filename) {
        return filename.length() > 40 ? "..." + filename.substring(filename.length() - 37) : filename;
    }

    private static String message(Throwable e) {
        if (e == null) {
            return "unknown error";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** A 429/5xx or a range mismatch: try again. */
    private static final class RetryableStatus extends Exception {
        RetryableStatus(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * HttpClient has no read timeout for a body; close the stream (which ends the blocked read) when no
     * bytes arrive for {@code limit}, so a stalled CDN connection is retried instead of hanging.
     */
    private static final class StallGuard implements AutoCloseable {
        private final Thread watcher;
        private volatile long lastProgress = System.nanoTime();
        private volatile boolean fired;
        private volatile boolean done;

        StallGuard(InputStream body, Duration limit) {
            long limitNanos = limit.toNanos();
            watcher = new Thread(() -> {
                while (!done) {
                    try {
                        Thread.sleep(Math.max(50, Math.min(1000, limit.toMillis() / 4)));
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (!done && System.nanoTime() - lastProgress > limitNanos) {
                        fired = true;
                        try {
                            body.close();
                        } catch (IOException ignored) {
                            // the reader sees the closed stream
                        }
                        return;
                    }
                }
            }, "hub-download-stall-guard");
            watcher.setDaemon(true);
            watcher.start();
        }

        void progress() {
            lastProgress = System.nanoTime();
        }

        boolean fired() {
            return fired;
        }

        @Override
        public void close() {
            done = true;
            watcher.interrupt();
        }
    }
}
