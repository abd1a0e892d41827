package io.mergelab.slurm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A stage of a study as one Slurm job array: task {@code i} runs {@code tasks.get(i)}. {@code after} names
 * earlier stages whose tasks must complete successfully first (afterok); {@code afterTasks} narrows a parent to
 * the task indices this stage's tasks actually use (a merge waits only for the fine-tunes it merges), a parent
 * missing from it is waited for as a whole array.
 */
public record SlurmStage(String name, List<StageTask> tasks, List<String> after, Map<String, List<Integer>> afterTasks) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");

    public SlurmStage {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("stage name '" + name + "': expected letters, digits, _ or -");
        }
        tasks = List.copyOf(tasks);
        after = after == null ? List.of() : List.copyOf(after);
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("stage " + name + ": no tasks");
        }
        Map<String, List<Integer>> narrowed = new LinkedHashMap<>();
        for (Map.Entry<String, List<Integer>> e : (afterTasks == null ? Map.<String, List<Integer>>of() : afterTasks).entrySet()) {
            if (!after.contains(e.getKey())) {
                throw new IllegalArgumentException("stage " + name + ": needs tasks of '" + e.getKey()
                        + "', which is not among its parents " + after);
            }
            if (e.getValue().isEmpty() || e.getValue().stream().anyMatch(i -> i < 0)) {
                throw new IllegalArgumentException("stage " + name + ": task indices of '" + e.getKey()
                        + "' must be a non-empty list of indices >= 0, got " + e.getValue());
            }
            narrowed.put(e.getKey(), List.copyOf(e.getValue()));
        }
        afterTasks = java.util.Collections.unmodifiableMap(narrowed);
    }

    /** A stage that waits for whole parent arrays. */
    public SlurmStage(String name, List<StageTask> tasks, List<String> after) {
        this(name, tasks, after, Map.of());
    }

    /** A stage whose every task runs the same lines; they can tell tasks apart by $SLURM_ARRAY_TASK_ID. */
    public static SlurmStage uniform(String name, int arraySize, List<String> commands, List<String> after) {
        if (arraySize < 1) {
            throw new IllegalArgumentException("stage " + name + ": array size must be >= 1, got " + arraySize);
        }
        return new SlurmStage(name, java.util.Collections.nCopies(arraySize, new StageTask(null, commands)), after);
    }

    /** sbatch's array spec for the tasks: {@code 0-(n-1)}. Every stage is an array, so logs are uniform. */
    public String arraySpec() {
        return "0-" + (tasks.size() - 1);
    }

    /**
     * The ids for {@code --dependency=afterok:}: a parent's array id where all its tasks are needed, else
     * {@code <array id>_<task>} for each task needed.
     *
     * @param jobOf a parent stage's array job id (or a shell expression for it, in submit.sh)
     */
    public List<String> afterOkIds(Function<String, String> jobOf) {
        List<String> ids = new ArrayList<>();
        for (String parent : after) {
            List<Integer> needed = afterTasks.get(parent);
            if (needed == null) {
                ids.add(jobOf.apply(parent));
            } else {
                needed.forEach(i -> ids.add(jobOf.apply(parent) + "_" + i));
            }
        }
        return ids;
    }

    /** "finetune[0,2], merge" for comments and listings. */
    public String describeAfter() {
        List<String> parts = new ArrayList<>();
        for (String parent : after) {
            List<Integer> needed = afterTasks.get(parent);
            parts.add(needed == null ? parent : parent + needed.toString().replace(" ", ""));
        }
        return String.join(", ", parts);
    }
}
