package io.mergelab.slurm;

import java.nio.file.Path;
import java.util.List;

/**
 * A pipeline step as the Slurm side needs it: its id and kind (steps of one kind become one job array),
 * the ids of the steps it needs, where its job records its Slurm ids, and the command lines that run it
 * (e.g. {@code "$MERGELAB_HOME/bin/mergelab" run --only <id> <config>}).
 */
public record StepRef(String id, String kind, List<String> deps, Path recordDir, List<String> commands) {
    public StepRef {
        deps = List.copyOf(deps);
        commands = List.copyOf(commands);
    }
}
