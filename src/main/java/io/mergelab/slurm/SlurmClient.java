package io.mergelab.slurm;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * Submits and watches batch jobs on a Slurm cluster. Two implementations talk to the same
 * slurmctld: {@link SlurmRestClient} (slurmrestd + JWT) and {@link SlurmCliClient} (sbatch, squeue,
 * scontrol, scancel on PATH); {@link SlurmClients#fromEnvironment} picks one. Failures are
 * {@link SlurmException}s with one-line messages that never contain a token.
 */
public interface SlurmClient {

    /** Submits the job; returns its id (for an array, the array's id, usable in afterok dependencies). */
    String submit(JobSpec job);

    /** All records of a job id: one for a plain job, one per task (as far as split) for an array. */
    List<JobInfo> jobs(String jobId);

    /** The record whose own id is {@code jobId}, or its first task for an array id. */
    default JobInfo job(String jobId) {
        List<JobInfo> all = jobs(jobId);
        return all.stream().filter(j -> j.jobId().equals(jobId)).findFirst().orElse(all.get(0));
    }

    /** Cancels a pending or running job (for an array id: all its tasks). Finished jobs: no-op. */
    void cancel(String jobId);

    /** Puts a running or finished batch job back into the queue (it must have been submitted requeue-able). */
    void requeue(String jobId);

    /** "slurmrestd at http://…" or "sbatch/scontrol on PATH": for log lines. */
    String describe();

    /**
     * Polls (every 250 ms) until every record of {@code jobId} satisfies {@code done}; returns them.
     * Throws when {@code timeout} passes, naming the job and the states seen last.
     */
    default List<JobInfo> await(String jobId, Duration timeout, Predicate<JobInfo> done) {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<JobInfo> all = jobs(jobId);
            if (!all.isEmpty() && all.stream().allMatch(done)) {
                return all;
            }
            if (System.nanoTime() > end) {
                throw new SlurmException("job " + jobId + ": still " + all + " after " + timeout.toSeconds() + " s");
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SlurmException("interrupted while waiting for job " + jobId, e);
            }
        }
    }

    /** Waits until the job (all array tasks) ended or is stuck behind a failed dependency. */
    default List<JobInfo> awaitSettled(String jobId, Duration timeout) {
        return await(jobId, timeout, JobInfo::isSettled);
    }
}
