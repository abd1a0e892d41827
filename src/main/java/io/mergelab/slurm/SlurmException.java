package io.mergelab.slurm;

/** A Slurm request failed; the message is one line for the user and never contains a token. */
public class SlurmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SlurmException(String message) {
        super(message);
    }

    public SlurmException(String message, Throwable cause) {
        super(message, cause);
    }

    /** slurmrestd (or the CLI tools) could not be reached at all: callers may fall back. */
    public static final class Unavailable extends SlurmException {
        private static final long serialVersionUID = 1L;

        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The credentials were refused (bad, expired or foreign JWT; missing headers). */
    public static final class AuthenticationFailed extends SlurmException {
        private static final long serialVersionUID = 1L;

        public AuthenticationFailed(String message) {
            super(message);
        }
    }

    /** slurmctld does not know the job (never existed, or purged after MinJobAge). */
    public static final class NoSuchJob extends SlurmException {
        private static final long serialVersionUID = 1L;

        public NoSuchJob(String message) {
            super(message);
        }
    }
}
