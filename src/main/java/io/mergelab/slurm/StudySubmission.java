package io.mergelab.slurm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A study's not-yet-done steps submitted as job arrays (one per stage, afterok on the parent tasks used) through a
 * {@link SlurmClient}, and the state of every step's task: what a Slurm executor needs.
 * <pre>
 * StudySubmission sub = StudySubmission.submit(client, renderer, "quickstart", studyDir, steps, settings);
 * Map&lt;String, JobInfo&gt; last = sub.await(Duration.ofSeconds(2), states -&gt; listener..., Duration.ofHours(48));
 * </pre>
 */
public final class StudySubmission {

    /** Where a step runs: stage {@code stage}, array {@code jobId}, task {@code index}. */
    public record TaskRef(String stepId, String stage, String jobId, int index) {}

    private final SlurmClient client;
    private final Map<String, String> stageJobs;
    private final Map<String, TaskRef> tasks;
    private final Map<String, SlurmStage> stages; // what each stage waits for; empty when attached

    private StudySubmission(SlurmClient client, Map<String, String> stageJobs, Map<String, TaskRef> tasks,
            Map<String, SlurmStage> stages) {
        this.client = client;
        this.stageJobs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(stageJobs));
        this.tasks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tasks));
        this.stages = Map.copyOf(stages);
    }

    /** Groups {@code steps} into stages ({@link StageGrouping}) and submits them parents-first. */
    public static StudySubmission submit(SlurmClient client, SbatchRenderer renderer, String study, Path studyDir,
            List<StepRef> steps, SlurmSettings settings) {
        StageGrouping.Grouped grouped = StageGrouping.grouped(steps);
        List<SlurmStage> stages = grouped.stages();
        Map<String, List<String>> stepsOfStage = grouped.stepIds();
        Map<String, String> stageJobs = new LinkedHashMap<>();
        Map<String, TaskRef> tasks = new LinkedHashMap<>();
        Map<String, SlurmStage> after = new LinkedHashMap<>();
        try { // the same files `slurm render` writes, so what was submitted can be read (and resubmitted by hand)
            renderer.render(study, studyDir, stages, settings);
        } catch (java.io.IOException e) {
            throw new SlurmException(SbatchRenderer.slurmDir(studyDir) + ": cannot write the job scripts: "
                    + e.getMessage(), e);
        }
        for (SlurmStage stage : stages) {
            String id = client.submit(renderer.jobSpec(study, studyDir, stage, settings,
                    stage.afterOkIds(stageJobs::get)));
            stageJobs.put(stage.name(), id);
            after.put(stage.name(), stage);
            List<String> ids = stepsOfStage.get(stage.name());
            for (int i = 0; i < ids.size(); i++) {
                tasks.put(ids.get(i), new TaskRef(ids.get(i), stage.name(), id, i));
            }
        }
        return new StudySubmission(client, stageJobs, tasks, after);
    }

    /** A submission made earlier (e.g. read back from a {@link SubmissionRecord}), to poll or cancel. */
    public static StudySubmission attach(SlurmClient client, Map<String, String> stageJobs, Map<String, TaskRef> tasks) {
        return new StudySubmission(client, stageJobs, tasks, Map.of());
    }

    /** Stage name → array job id, in submission order. */
    public Map<String, String> stageJobs() {
        return stageJobs;
    }

    /** Step id → where it runs. */
    public Map<String, TaskRef> tasks() {
        return tasks;
    }

    /**
     * The current record of every step's task. Before Slurm splits an array, its pending tasks share
     * the array's record. Stages slurmctld no longer knows (purged long after they ended) are left out.
     */
    public Map<String, JobInfo> poll() {
        Map<String, JobInfo> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> stage : stageJobs.entrySet()) {
            List<JobInfo> records;
            try {
                records = client.jobs(stage.getValue());
            } catch (SlurmException.NoSuchJob gone) {
                continue; // purged by slurmctld (MinJobAge) long after it ended: its steps say so on disk
            }
            if (records.isEmpty()) {
                continue;
            }
            JobInfo whole = records.stream().filter(j -> j.arrayTaskId() == null).findFirst()
                    .orElse(records.get(0));
            for (TaskRef t : tasks.values()) {
                if (t.stage().equals(stage.getKey())) {
                    out.put(t.stepId(), records.stream().filter(j -> j.arrayTaskId() != null && j.arrayTaskId() == t.index())
                            .findFirst().orElse(whole));
                }
            }
        }
        return out;
    }

    /**
     * Polls every {@code every} until every step's task is settled (ended, or stuck behind a failed
     * dependency); {@code onChange} sees each new snapshot. Returns the last snapshot.
     */
    public Map<String, JobInfo> await(Duration every, Consumer<Map<String, JobInfo>> onChange, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        Map<String, String> last = Map.of();
        while (true) {
            Map<String, JobInfo> now = poll();
            Map<String, String> summary = new LinkedHashMap<>();
            now.forEach((k, v) -> summary.put(k, v.state() + "/" + v.reason()));
            if (!summary.equals(last)) {
                onChange.accept(now);
                last = summary;
            }
            if (settled(now)) {
                return now;
            }
            if (System.nanoTime() > end) {
                throw new SlurmException("study jobs " + stageJobs + " not finished after " + timeout);
            }
            try {
                Thread.sleep(every.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SlurmException("interrupted while watching jobs " + stageJobs.values(), e);
            }
        }
    }

    /**
     * Every task ended or can never start: Slurm marks only the direct dependents of a failed task
     * DependencyNeverSatisfied; their own dependents stay PENDING with reason Dependency, so a task waiting on a
     * doomed task (failed, or itself waiting on one) counts as settled too. Tasks wait only on the parent tasks
     * their stage uses, so a failure elsewhere does not doom them: they run and are waited for.
     */
    private boolean settled(Map<String, JobInfo> now) {
        java.util.Set<String> doomed = new java.util.HashSet<>(); // step ids
        java.util.Set<String> behindDoomed = new java.util.HashSet<>(); // stage names
        for (String stage : stageJobs.keySet()) { // parents first
            if (waitsOnDoomed(stage, doomed)) {
                behindDoomed.add(stage);
            }
            for (TaskRef t : tasks.values()) {
                JobInfo j = now.get(t.stepId());
                if (t.stage().equals(stage) && (behindDoomed.contains(stage) || j != null
                        && (j.dependencyNeverSatisfied() || j.state().isTerminal() && !j.state().isSuccess()))) {
                    doomed.add(t.stepId());
                }
            }
        }
        return tasks.values().stream().allMatch(t -> {
            JobInfo j = now.get(t.stepId());
            return j == null || j.isSettled() || j.state() == JobState.PENDING && behindDoomed.contains(t.stage());
        });
    }

    /** Whether {@code stage} waits on a task in {@code doomed} (any task of a parent it waits on as a whole array). */
    private boolean waitsOnDoomed(String stage, java.util.Set<String> doomed) {
        SlurmStage s = stages.get(stage);
        if (s == null) {
            return false;
        }
        for (String parent : s.after()) {
            List<Integer> needed = s.afterTasks().get(parent);
            boolean hit = tasks.values().stream().anyMatch(t -> t.stage().equals(parent) && doomed.contains(t.stepId())
                    && (needed == null || needed.contains(t.index())));
            if (hit) {
                return true;
            }
        }
        return false;
    }

    /** One stage's tasks by state: those still pending or running, and those that ended (UNKNOWN: not found). */
    public record StageState(String stage, String jobId, Map<String, Integer> live, Map<String, Integer> ended) {}

    /**
     * Cancels every stage's array that still has tasks waiting or running (e.g. the dependents left PENDING by a
     * failed step); a stage that cannot be cancelled does not stop the others (the first error is thrown after).
     *
     * @return each stage's tasks by state as seen just before cancelling (the stages with live tasks were cancelled)
     */
    public java.util.List<StageState> cancelAll() {
        Map<String, JobInfo> now = poll();
        java.util.List<StageState> seen = new java.util.ArrayList<>();
        SlurmException first = null;
        for (Map.Entry<String, String> stage : stageJobs.entrySet()) {
            Map<String, Integer> live = new java.util.TreeMap<>();
            Map<String, Integer> ended = new java.util.TreeMap<>();
            for (TaskRef t : tasks.values()) {
                if (t.stage().equals(stage.getKey())) {
                    JobInfo j = now.get(t.stepId());
                    (j != null && !j.state().isTerminal() ? live : ended)
                            .merge(j == null ? "UNKNOWN" : j.state().name(), 1, Integer::sum);
                }
            }
            seen.add(new StageState(stage.getKey(), stage.getValue(), live, ended));
            if (live.isEmpty()) {
                continue;
            }
            try {
                client.cancel(stage.getValue());
            } catch (SlurmException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
        return seen;
    }
}
