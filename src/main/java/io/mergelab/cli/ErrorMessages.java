package io.mergelab.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/** Turns an exception into the one line a user reads; the stack trace is for --debug. */
final class ErrorMessages {
    private ErrorMessages() {}

    static String describe(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof OutOfMemoryError) {
                // often wrapped by a worker pool's exception; the message a user can act on is the heap size
                return "out of memory (" + c.getMessage() + ", the JVM's limit is "
                        + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB): raise it with "
                        + "MERGELAB_JAVA_OPTS=-Xmx<size>, or use fewer --threads";
            }
        }
        if (e instanceof NoSuchFileException n) {
            return "no such file: " + n.getFile();
        }
        if (e instanceof AccessDeniedException a) {
            return "permission denied: " + a.getFile();
        }
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName() + (e.getCause() != null ? ": " + describe(e.getCause()) : "");
        }
        return message;
    }
}
