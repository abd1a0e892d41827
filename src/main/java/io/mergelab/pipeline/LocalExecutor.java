package io.mergelab.pipeline;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs steps in this JVM, in dependency order, at most {@code parallelism} at once. A failed step stops the
 * steps that need it (each is reported as blocked, naming the failure); independent steps go on. Steps already
 * done on disk are skipped, so a killed run continues where it stopped when started again.
 */
public final class LocalExecutor implements Executor {
    private final int parallelism;
    private final boolean lockPerStep;

    public LocalExecutor(int parallelism) {
        this(parallelism, false);
    }

    /**
     * @param lockPerStep lock only each step, not the whole study ({@code run --only}: several such runs, e.g.
     *                    the array tasks of a study on Slurm, work on one study at once); such a run leaves
     *                    temp folders and plan.json to the whole-study run. Every run locks each step it runs.
     */
    public LocalExecutor(int parallelism, boolean lockPerStep) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
        }
        this.parallelism = parallelism;
        this.lockPerStep = lockPerStep;
    }

    @Override
    public RunSummary execute(Plan plan, StepStore store, StepListener listener) throws Exception {
        PlanFile.checkVersion(store.root()); // a run --only too: it writes steps beside the plan's
        if (lockPerStep) {
            return run(plan, store, listener);
        }
        StepStore.RunLock lock = store.lock(); // held for the whole run
        try {
            store.cleanTemp();
            PlanFile.write(plan, store);
            return run(plan, store, listener);
        } finally {
            lock.close();
        }
    }

    private RunSummary run(Plan plan, StepStore store, StepListener listener) throws InterruptedException {
        Set<String> done = new HashSet<>();
        List<String> skipped = new ArrayList<>();
        for (Step s : plan.steps()) {
            if (store.isDone(s.id())) {
                done.add(s.id());
                skipped.add(s.id());
            }
        }
        listener.planned(plan, Set.copyOf(done));
        List<Step> pending = new ArrayList<>(plan.steps().stream().filter(s -> !done.contains(s.id())).toList());
        List<String> ran = new ArrayList<>();
        Map<String, String> failures = new LinkedHashMap<>();
        Map<String, String> blocked = new LinkedHashMap<>();
        AtomicInteger threadNo = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "mergelab-step-" + threadNo.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        CompletionService<Outcome> completions = new ExecutorCompletionService<>(pool);
        int running = 0;
        java.util.Set<String> held = new java.util.HashSet<>();
        try {
            while (!pending.isEmpty() || running > 0) {
                for (var it = pending.iterator(); it.hasNext(); ) {
                    Step s = it.next();
                    String badDep = s.deps().stream()
                            .filter(d -> failures.containsKey(d) || blocked.containsKey(d)).findFirst().orElse(null);
                    if (badDep != null) {
                        String root = failures.containsKey(badDep) ? badDep : blocked.get(badDep);
                        blocked.put(s.id(), root);
                        listener.blocked(s, plan.step(root));
                        it.remove();
                    } else if (running < parallelism && done.containsAll(s.deps())
                            && (resource(s) == null || !held.contains(resource(s)))) {
                        if (resource(s) != null) {
                            held.add(resource(s));
                        }
                        completions.submit(() -> runLocked(s, plan, store, listener));
                        running++;
                        it.remove();
                    }
                }
                if (running == 0) {
                    break; // only blocked steps were left
                }
                Outcome o;
                try {
                    o = completions.take().get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("step runner crashed", e.getCause());
                }
                running--;
                if (resource(o.step) != null) {
                    held.remove(resource(o.step));
                }
                if (o.error == null) {
                    done.add(o.step.id());
                    (o.doneElsewhere ? skipped : ran).add(o.step.id());
                } else {
                    failures.put(o.step.id(), o.step.label() + ": " + oneLine(o.error));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        RunSummary summary = new RunSummary(skipped, ran, failures, blocked);
        listener.runFinished(summary);
        return summary;
    }

    /**
     * Under the step's lock, in whole-study runs too: a {@code run --only STEP} of the same study may work on
     * it at the same time, and a step another process finished meanwhile is not run again.
     */
    private static Outcome runLocked(Step step, Plan plan, StepStore store, StepListener listener) {
        try (StepStore.RunLock ignored = store.lockStep(step.id())) {
            if (store.isDone(step.id())) {
                listener.doneElsewhere(step);
                return new Outcome(step, null, true);
            }
            return new Outcome(step, StepRunner.run(step, plan, store, listener), false);
        } catch (java.io.IOException e) {
            listener.failed(step, e);
            return new Outcome(step, e, false);
        }
    }

    private static String resource(Step s) {
        return s.action() == null ? null : s.action().exclusiveResource();
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        String line = m.lines().findFirst().orElse(m);
        // An Error's message alone ("io/mergelab/x/Y") does not say what went wrong
        return e instanceof Error ? e.getClass().getSimpleName() + ": " + line : line;
    }

    private record Outcome(Step step, Throwable error, boolean doneElsewhere) {
    }
}
