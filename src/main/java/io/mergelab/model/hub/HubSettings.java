package io.mergelab.model.hub;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where the cache is and how to reach the hub, read from the same environment variables as huggingface_hub
 * so that both see one cache. Immutable; {@link #toString()} never shows the token.
 *
 * @param cacheDir the hub cache root (holds {@code models--org--name/})
 * @param endpoint the hub base URL, without a trailing slash
 * @param token bearer token sent to the endpoint's origin only; never printed
 * @param offline {@code HF_HUB_OFFLINE}: never touch the network, serve from the cache or fail
 * @param timeout connect and per-request timeout (also the longest a download may stall)
 * @param retries attempts after the first on connection errors, 429 and 5xx
 * @param backoff first wait between attempts; doubles each time
 */
public record HubSettings(Path cacheDir, URI endpoint, Optional<String> token, boolean offline, Duration timeout,
        int retries, Duration backoff) {

    /**
     * The configurable default hub: huggingface_hub's own default. Overridden by {@code HF_ENDPOINT};
     * this is the only place the host may appear in mergelab's sources.
     */
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    private static final Set<String> TRUE_VALUES = Set.of("1", "ON", "YES", "TRUE");

    public HubSettings {
        cacheDir = cacheDir.toAbsolutePath().normalize();
        String e = endpoint.toString();
        while (e.endsWith("/")) {
            e = e.substring(0, e.length() - 1);
        }
        endpoint = URI.create(e);
        if (endpoint.getScheme() == null || endpoint.getHost() == null
                || !(endpoint.getScheme().equals("http") || endpoint.getScheme().equals("https"))) {
            throw new HubException("HF_ENDPOINT: expected an http(s) URL such as " + DEFAULT_ENDPOINT + ", got '" + e + "'");
        }
        token = token.filter(t -> !t.isBlank()).map(String::strip);
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be >= 0");
        }
    }

    /** Settings from this process's environment and home directory. */
    public static HubSettings fromEnvironment() {
        return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * Same precedence as huggingface_hub: cache {@code HF_HUB_CACHE}, {@code HUGGINGFACE_HUB_CACHE},
     * {@code HF_HOME/hub}, {@code XDG_CACHE_HOME/huggingface/hub}, {@code ~/.cache/huggingface/hub}; token
     * {@code HF_TOKEN}, {@code HUGGING_FACE_HUB_TOKEN}, then the file {@code HF_TOKEN_PATH} or {@code HF_HOME/token}
     * that {@code hf auth login} writes; offline {@code HF_HUB_OFFLINE} or {@code TRANSFORMERS_OFFLINE}.
     */
    public static HubSettings fromEnvironment(Map<String, String> env, Path home) {
        Path hfHome = env(env, "HF_HOME").map(v -> expand(v, home))
                .orElseGet(() -> env(env, "XDG_CACHE_HOME").map(v -> expand(v, home))
                        .orElse(home.resolve(".cache")).resolve("huggingface"));
        Path cache = env(env, "HF_HUB_CACHE").or(() -> env(env, "HUGGINGFACE_HUB_CACHE"))
                .map(v -> expand(v, home)).orElse(hfHome.resolve("hub"));
        URI endpoint = URI.create(env(env, "HF_ENDPOINT").orElse(DEFAULT_ENDPOINT));
        Optional<String> token = env(env, "HF_TOKEN").or(() -> env(env, "HUGGING_FACE_HUB_TOKEN"))
                .or(() -> readTokenFile(env(env, "HF_TOKEN_PATH").map(v -> expand(v, home))
                        .orElse(hfHome.resolve("token"))));
        boolean offline = isTrue(env.get("HF_HUB_OFFLINE")) || isTrue(env.get("TRANSFORMERS_OFFLINE"));
        return new HubSettings(cache, endpoint, token, offline, Duration.ofSeconds(30), 5, Duration.ofSeconds(1));
    }

    public HubSettings withCacheDir(Path dir) {
        return new HubSettings(dir, endpoint, token, offline, timeout, retries, backoff);
    }

    public HubSettings withEndpoint(URI url) {
        return new HubSettings(cacheDir, url, token, offline, timeout, retries, backoff);
    }

    public HubSettings withToken(String value) {
        return new HubSettings(cacheDir, endpoint, Optional.ofNullable(value), offline, timeout, retries, backoff);
    }

    public HubSettings withOffline(boolean off) {
        return new HubSettings(cacheDir, endpoint, token, off, timeout, retries, backoff);
    }

    public HubSettings withRetries(int count, Duration firstBackoff, Duration requestTimeout) {
        return new HubSettings(cacheDir, endpoint, token, offline, requestTimeout, count, firstBackoff);
    }

    @Override
    public String toString() {
        return "HubSettings[cacheDir=" + cacheDir + ", endpoint=" + endpoint + ", token="
                + (token.isPresent() ? "(set)" : "(none)") + ", offline=" + offline + "]";
    }

    static boolean isTrue(String value) {
        return value != null && TRUE_VALUES.contains(value.strip().toUpperCase(Locale.ROOT));
    }

    private static Optional<String> env(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).filter(v -> !v.isBlank());
    }

    private static Path expand(String value, Path home) {
        if (value.equals("~")) {
            return home;
        }
        if (value.startsWith("~/")) {
            return home.resolve(value.substring(2));
        }
        return Path.of(value);
    }

    private static Optional<String> readTokenFile(Path file) {
        try {
            return Files.isRegularFile(file) ? Optional.of(Files.readString(file).strip()).filter(s -> !s.isEmpty())
                    : Optional.empty();
        } catch (java.io.IOException e) {
            return Optional.empty();   // an unreadable token file means anonymous access, as in huggingface_hub
        }
    }
}
