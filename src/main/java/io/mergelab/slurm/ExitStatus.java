package io.mergelab.slurm;

/**
 * How a job ended: the exit code of its batch script and the signal that killed it (0 if none), as
 * scontrol prints it ({@code 3:0}). slurmrestd reports the raw wait(2) status instead; see
 * {@link #fromWaitStatus(int)}.
 */
public record ExitStatus(int code, int signal) {

    public static final ExitStatus NONE = new ExitStatus(0, 0);

    /** Decodes the raw wait(2) status slurmrestd returns as {@code exit_code}: 768 → 3:0, 15 → 0:15. */
    public static ExitStatus fromWaitStatus(int raw) {
        return new ExitStatus((raw >> 8) & 0xff, raw & 0x7f);
    }

    /** Parses scontrol's {@code ExitCode=3:0} value (or a bare {@code 3}). */
    public static ExitStatus parse(String text) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        String[] parts = text.strip().split(":", 2);
        try {
            return new ExitStatus(Integer.parseInt(parts[0]), parts.length > 1 ? Integer.parseInt(parts[1]) : 0);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("exit code '" + text + "': expected CODE:SIGNAL, e.g. 3:0");
        }
    }

    public boolean isSuccess() {
        return code == 0 && signal == 0;
    }

    @Override
    public String toString() {
        return code + ":" + signal;
    }
}
