package io.mergelab.slurm;

import java.util.Locale;

/** Slurm job states as squeue/scontrol/slurmrestd print them; {@link #UNKNOWN} for anything newer. */
public enum JobState {
    PENDING, CONFIGURING, RUNNING, SUSPENDED, COMPLETING, REQUEUED, REQUEUE_HOLD, REQUEUE_FED, RESIZING,
    SIGNALING, STAGE_OUT, STOPPED, SPECIAL_EXIT, REVOKED, RESV_DEL_HOLD,
    COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, PREEMPTED, OUT_OF_MEMORY, BOOT_FAIL, DEADLINE,
    UNKNOWN;

    /** Parses "COMPLETED", "CANCELLED by 0", "cancelled+" (sacct) or the abbreviations squeue prints. */
    public static JobState parse(String text) {
        if (text == null || text.isBlank()) {
            return UNKNOWN;
        }
        String word = text.strip().split("[\\s+]", 2)[0].toUpperCase(Locale.ROOT);
        switch (word) {
            case "PD": return PENDING;
            case "CF": return CONFIGURING;
            case "R": return RUNNING;
            case "S": return SUSPENDED;
            case "CG": return COMPLETING;
            case "CD": return COMPLETED;
            case "F": return FAILED;
            case "CA": return CANCELLED;
            case "TO": return TIMEOUT;
            case "NF": return NODE_FAIL;
            case "PR": return PREEMPTED;
            case "OOM": return OUT_OF_MEMORY;
            case "BF": return BOOT_FAIL;
            case "DL": return DEADLINE;
            case "RQ": return REQUEUED;
            default:
                try {
                    return valueOf(word);
                } catch (IllegalArgumentException e) {
                    return UNKNOWN;
                }
        }
    }

    /** The job will not run again on its own (a requeue can still bring it back). */
    public boolean isTerminal() {
        return switch (this) {
            case COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, PREEMPTED, OUT_OF_MEMORY, BOOT_FAIL, DEADLINE,
                    SPECIAL_EXIT, REVOKED -> true;
            default -> false;
        };
    }

    public boolean isSuccess() {
        return this == COMPLETED;
    }
}
