package io.mergelab.train;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * While a training loop runs, a JVM shutdown (SIGTERM: what Slurm sends on scancel, requeue, preemption and at
 * the time limit; also SIGINT / Ctrl-C) does not end the process at once: a shutdown hook asks the loop to stop
 * at its next step boundary and waits, up to {@code grace}, until the loop has written a resume checkpoint. The
 * JVM then exits with 128 + signal (143 for SIGTERM), and a rerun continues from exactly that step instead of
 * the last periodic checkpoint. Slurm sends SIGKILL KillWait seconds after SIGTERM, so a step plus a checkpoint
 * must fit in KillWait (or in the head start {@code executor.slurm.stop_before_limit} gives before the time limit).
 */
final class CheckpointOnShutdown implements AutoCloseable {
    private final CountDownLatch settled = new CountDownLatch(1);
    private final Thread hook;
    private volatile boolean requested;

    private CheckpointOnShutdown(Duration grace, PrintStream log) {
        this.hook = new Thread(() -> {
            requested = true;
            log.printf("%nshutdown requested (SIGTERM/SIGINT): finishing the current step and writing a resume "
                    + "checkpoint (waiting up to %d s)%n", grace.toSeconds());
            try {
                if (!settled.await(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.printf("no resume checkpoint within %d s; a rerun starts from the last periodic one%n",
                            grace.toSeconds());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "mergelab-checkpoint-on-shutdown");
    }

    /** Registers the hook; close it when the loop ends, however it ends. */
    static CheckpointOnShutdown install(Duration grace, PrintStream log) {
        CheckpointOnShutdown c = new CheckpointOnShutdown(grace, log);
        Runtime.getRuntime().addShutdownHook(c.hook);
        return c;
    }

    /** True once the JVM has begun to shut down: save a checkpoint at this step boundary and stop. */
    boolean requested() {
        return requested;
    }

    /** The checkpoint is written (or training is over): the JVM may exit now. */
    @Override
    public void close() {
        settled.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running (it returns as the latch is down); nothing to unregister
        }
    }
}
