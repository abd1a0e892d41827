package io.mergelab.slurm;

import java.time.Instant;

/**
 * One job (or one task of an array) as slurmctld knows it. {@code arrayJobId} is null and
 * {@code arrayTaskId} is null for a plain job; times are null until they happen.
 *
 * @param jobId       this record's own id (array tasks get their own ids; the last keeps the array id)
 * @param reason      Slurm's reason for the state, e.g. {@code Dependency}, {@code DependencyNeverSatisfied}
 * @param dependency  what is still awaited, e.g. {@code afterok:9_*(unfulfilled)}; empty when none
 * @param stdout      the output path as Slurm has it (patterns like %A may be unexpanded over REST)
 */
public record JobInfo(String jobId, String arrayJobId, Integer arrayTaskId, String name, JobState state,
        String reason, ExitStatus exit, String dependency, Instant submitTime, Instant startTime,
        Instant endTime, String stdout, int restartCount) {

    /** {@code 12_3} for an array task, else the job id: what squeue shows and scancel accepts. */
    public String displayId() {
        return arrayJobId != null && arrayTaskId != null ? arrayJobId + "_" + arrayTaskId : jobId;
    }

    /** Waits on an afterok/afterany parent that can no longer succeed: Slurm leaves it PENDING forever. */
    public boolean dependencyNeverSatisfied() {
        return state == JobState.PENDING && "DependencyNeverSatisfied".equals(reason);
    }

    /** Terminal, or stuck forever behind a failed dependency. */
    public boolean isSettled() {
        return state.isTerminal() || dependencyNeverSatisfied();
    }

    @Override
    public String toString() {
        return displayId() + " " + name + " " + state
                + (reason == null || reason.isBlank() || "None".equals(reason) ? "" : " (" + reason + ")")
                + (state.isTerminal() ? " exit " + exit : "");
    }
}
