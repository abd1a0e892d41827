package io.mergelab.model.hub;

/** A hub or cache problem, with one line that names the repository, file and what to do. Never carries a token. */
public class HubException extends RuntimeException {
    public HubException(String message) {
        super(message);
    }

    public HubException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The hub answered that a file does not exist at a revision (404 EntryNotFound); optional files may be absent. */
    static final class EntryNotFound extends HubException {
        private final String commit;

        EntryNotFound(String message, String commit) {
            super(message);
            this.commit = commit;
        }

        /** The commit the hub resolved the revision to, or null when it did not say. */
        String commit() {
            return commit;
        }
    }

    /** The hub could not be reached (connection refused, timeouts, 5xx after retries): the cache may still serve. */
    static final class Unreachable extends HubException {
        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
