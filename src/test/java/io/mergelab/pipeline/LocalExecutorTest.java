package io.mergelab.pipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalExecutorTest {

    @Test
    void runsEveryStepOnceInDependencyOrderAndSkipsDoneStepsOnRerun(@TempDir Path tmp) throws Exception {
        Plan plan = SyntheticStudy.plan(1, null);
        StepStore store = new StepStore(tmp.resolve("study"));
        RunSummary first = new LocalExecutor(2).execute(plan, store, new StepListener() { });
        assertTrue(first.ok());
        assertEquals(plan.steps().size(), first.ran().size());
        RunSummary second = new LocalExecutor(2).execute(plan, store, new StepListener() { });
        assertEquals(List.of(), second.ran());
        assertEquals(plan.steps().size(), second.skipped().size());
    }

    @Test
    void neverRunsMoreStepsAtOnceThanItsParallelism(@TempDir Path tmp) throws Exception {
        AtomicInteger now = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            steps.add(Step.keyed("work", "w" + i, Map.of("i", i), List.of(), Map.of(), ctx -> {
                peak.accumulateAndGet(now.incrementAndGet(), Math::max);
                Thread.sleep(30);
                now.decrementAndGet();
            }));
        }
        new LocalExecutor(3).execute(new Plan("p", steps), new StepStore(tmp), new StepListener() { });
        assertEquals(3, peak.get());
    }

    @Test
    void stepsSharingAnExclusiveResourceNeverOverlap(@TempDir Path tmp) throws Exception {
        AtomicInteger now = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            steps.add(Step.keyed("train", "t" + i, Map.of("i", i), List.of(), Map.of(), new StepAction() {
                @Override
                public void run(StepContext ctx) throws Exception {
                    peak.accumulateAndGet(now.incrementAndGet(), Math::max);
                    Thread.sleep(30);
                    now.decrementAndGet();
                }

                @Override
                public String exclusiveResource() {
                    return "gradient-collector";
                }
            }));
        }
        RunSummary s = new LocalExecutor(4).execute(new Plan("p", steps), new StepStore(tmp), new StepListener() { });
        assertEquals(4, s.ran().size());
        assertEquals(1, peak.get());
    }

    @Test
    void aFailedStepBlocksItsDependentsAndSaysWhyWhileOthersFinish(@TempDir Path tmp) throws Exception {
        Plan plan = SyntheticStudy.plan(1, "merge ties");
        RunSummary s = new LocalExecutor(1).execute(plan, new StepStore(tmp), new StepListener() { });
        assertFalse(s.ok());
        assertEquals(1, s.failures().size());
        String failed = s.failures().keySet().iterator().next();
        assertEquals("merge ties: injected failure in merge ties", s.failures().get(failed));
        // evaluate ties and the report wait for it; everything else ran.
        assertEquals(2, s.blocked().size());
        assertTrue(s.blocked().values().stream().allMatch(failed::equals));
        assertEquals(plan.steps().size() - 3, s.ran().size());
        assertFalse(Files.exists(tmp.resolve(failed)), "a failed step leaves no output folder");
    }

    @Test
    void stepIdsFollowContentSoAChangedInputRerunsOnlyItsDownstream() {
        Plan a = SyntheticStudy.plan(1, null);
        Plan b = SyntheticStudy.plan(1, null);
        assertEquals(a.steps().stream().map(Step::id).toList(), b.steps().stream().map(Step::id).toList());
        Step data = Step.keyed("data", "data", Map.of("label", "data", "rows", 10), List.of(), Map.of(), c -> { });
        assertFalse(data.id().equals(a.steps().get(0).id()));
        Step same = Step.keyed("data", "renamed", Map.of("rows", 10L, "label", "data"), List.of(), Map.of(), c -> { });
        assertEquals(data.id(), same.id(), "labels are not content; int and long hash alike");
    }

    /** The real thing: a child JVM killed with SIGKILL mid-run, then rerun, ends exactly like an uninterrupted run. */
    @Test
    void aRunKilledAtAnyMomentAndRerunGivesTheSameResultsWithNothingDuplicated(@TempDir Path tmp) throws Exception {
        int total = SyntheticStudy.plan(1, null).steps().size();
        Path reference = tmp.resolve("reference");
        assertEquals(0, child(reference, tmp.resolve("ref.log")).waitFor());

        Path killed = tmp.resolve("killed");
        Path log = tmp.resolve("killed.log");
        Process p = child(killed, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (doneCount(killed) < 4 && System.nanoTime() < deadline && p.isAlive()) {
            Thread.sleep(20);
        }
        Thread.sleep(60); // land inside a step, between the two halves of its file
        assertTrue(p.isAlive(), "the child finished before it could be killed");
        p.destroyForcibly().waitFor();
        int doneAtKill = doneCount(killed);
        assertTrue(doneAtKill >= 4 && doneAtKill < total, "killed mid-run, " + doneAtKill + " steps done");
        assertTrue(Files.exists(killed.resolve(".tmp")), "the kill left a step half-written in .tmp");

        assertEquals(0, child(killed, log).waitFor());
        assertEquals(contents(reference), contents(killed));
        assertFalse(Files.exists(killed.resolve(".tmp")) && Files.list(killed.resolve(".tmp")).findAny().isPresent());
        Map<String, Long> commits = Files.readAllLines(log).stream()
                .collect(Collectors.groupingBy(s -> s, TreeMap::new, Collectors.counting()));
        assertEquals(total, commits.size());
        assertTrue(commits.values().stream().allMatch(c -> c == 1), "a step committed twice: " + commits);
    }

    private static Process child(Path dir, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                SyntheticStudy.class.getName(), dir.toString(), log.toString(), "2")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static int doneCount(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return (int) s.filter(d -> Files.isRegularFile(d.resolve(StepStore.DONE))).count();
        }
    }

    /** Every file of every step folder, minus the done-marker's timestamps. */
    private static Map<String, String> contents(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                String rel = dir.relativize(f).toString();
                if (rel.startsWith(".") || rel.endsWith(StepStore.DONE)) {
                    continue;
                }
                out.put(rel, Files.readString(f));
            }
        }
        return out;
    }
}
