package io.mergelab.merge;

/** A merge cannot run or produced a bad tensor; the message names model, tensor and parameter where they apply. */
public final class MergeException extends RuntimeException {
    public MergeException(String message) {
        super(message);
    }

    public MergeException(String message, Throwable cause) {
        super(message, cause);
    }

    public static MergeException at(String tensor, String message) {
        return new MergeException("tensor '" + tensor + "': " + message);
    }
}
