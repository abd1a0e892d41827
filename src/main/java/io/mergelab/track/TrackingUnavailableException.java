package io.mergelab.track;

/** The tracking server could not be reached or failed transiently (5xx, 429): retry later, journal meanwhile. */
public final class TrackingUnavailableException extends RuntimeException {
    public TrackingUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
