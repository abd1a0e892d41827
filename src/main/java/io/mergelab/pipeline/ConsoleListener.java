package io.mergelab.pipeline;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** One line per step on stderr: "[3/24] finetune yelp_0 ... done in 12.3 s", failures with their reason. */
public final class ConsoleListener implements StepListener {
    private final PrintStream out;
    private final AtomicInteger finished = new AtomicInteger();
    private volatile int total;

    public ConsoleListener(PrintStream out) {
        this.out = out;
    }

    @Override
    public void planned(Plan plan, Set<String> done) {
        total = plan.steps().size() - done.size();
        out.printf(Locale.ROOT, "mergelab: %s: %d steps, %d already done, %d to run%n", plan.study(),
                plan.steps().size(), done.size(), total);
    }

    @Override
    public void started(Step step) {
        out.printf(Locale.ROOT, "[%d/%d] %s ...%n", finished.get() + 1, total, step.label());
    }

    @Override
    public void finished(Step step, Path outputDir, Duration took) {
        out.printf(Locale.ROOT, "[%d/%d] %s: done in %.1f s%n", finished.incrementAndGet(), total, step.label(),
                took.toMillis() / 1000.0);
    }

    @Override
    public void failed(Step step, Throwable error) {
        finished.incrementAndGet();
        out.printf(Locale.ROOT, "FAILED %s (%s): %s%n", step.label(), step.id(), LocalExecutor.oneLine(error));
    }

    @Override
    public void doneElsewhere(Step step) {
        out.printf(Locale.ROOT, "[%d/%d] %s: already done by another run%n", finished.incrementAndGet(), total,
                step.label());
    }

    @Override
    public void blocked(Step step, Step cause) {
        out.printf(Locale.ROOT, "skipped %s: it needs %s, which failed%n", step.label(), cause.label());
    }
}
