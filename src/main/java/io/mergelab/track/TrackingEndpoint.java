package io.mergelab.track;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where the MLflow tracking server is and how to authenticate. Secrets never appear in
 * {@link #toString()} or in any message this package prints.
 */
public record TrackingEndpoint(URI uri, String token, String username, String password) {

    public static final String URI_ENV = "MLFLOW_TRACKING_URI";

    public TrackingEndpoint {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("tracking URI '" + redact(uri) + "': expected http(s)://host:port of an "
                    + "MLflow tracking server (the Java client cannot use file: or sqlite: stores; start one with "
                    + "bin/mlflow-server start)");
        }
        String s = uri.toString();
        uri = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    }

    /** The endpoint named by {@code MLFLOW_TRACKING_URI} (+ token or username/password), if it is set. */
    public static Optional<TrackingEndpoint> fromEnvironment(Map<String, String> env) {
        String uri = env.get(URI_ENV);
        return uri == null || uri.isBlank() ? Optional.empty() : Optional.of(of(uri, env));
    }

    /** {@code uri} with the credentials of the environment. */
    public static TrackingEndpoint of(String uri, Map<String, String> env) {
        return new TrackingEndpoint(URI.create(uri.strip()), blankToNull(env.get("MLFLOW_TRACKING_TOKEN")),
                blankToNull(env.get("MLFLOW_TRACKING_USERNAME")), blankToNull(env.get("MLFLOW_TRACKING_PASSWORD")));
    }

    /** The HTTP Authorization header value, if credentials were given. */
    Optional<String> authorization() {
        if (token != null) {
            return Optional.of("Bearer " + token);
        }
        if (username != null && password != null) {
            String pair = username + ":" + password;
            return Optional.of("Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
        return Optional.empty();
    }

    /** The URI without user info, safe to print. */
    public String display() {
        return redact(uri);
    }

    @Override
    public String toString() {
        return "TrackingEndpoint[" + display() + (token != null ? ", token=***" : "")
                + (username != null ? ", username=***, password=***" : "") + "]";
    }

    private static String redact(URI uri) {
        if (uri.getUserInfo() == null) {
            return uri.toString();
        }
        return uri.getScheme() + "://***@" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "")
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
