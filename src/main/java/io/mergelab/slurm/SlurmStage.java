package io.mergelab.slurm;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A stage of a study as one Slurm job array: task {@code i} runs {@code tasks.get(i)}. {@code after}
 * names earlier stages that must all complete successfully first (afterok).
 */
public record SlurmStage(String name, List<StageTask> tasks, List<String> after) {

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
}
