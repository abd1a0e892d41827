package io.mergelab.track;

/** The tracking server refused a request (4xx): retrying the same request cannot succeed. */
public final class TrackingRejectedException extends RuntimeException {
    public TrackingRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
