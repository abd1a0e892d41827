package io.mergelab.slurm;

import java.nio.file.Path;
import java.util.List;

/**
 * One array task of a stage: shell command lines run in order from the checkout root, and the
 * directory where the task records its Slurm ids ({@code slurm-job.properties}; e.g. the step's
 * directory, or beside it when the step creates its directory atomically); null for none.
 */
public record StageTask(Path recordDir, List<String> commands) {
    public StageTask {
        commands = List.copyOf(commands);
        if (commands.isEmpty()) {
            throw new IllegalArgumentException("a stage task needs at least one command line");
        }
        for (String c : commands) {
            if (c.contains("\n")) {
                throw new IllegalArgumentException("command '" + c + "': one line per command, no newlines");
            }
        }
    }
}
