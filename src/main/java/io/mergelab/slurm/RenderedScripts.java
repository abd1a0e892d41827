package io.mergelab.slurm;

import java.nio.file.Path;
import java.util.Map;

/**
 * What {@link SbatchRenderer#render} wrote: {@code outputs/<study>/slurm/<stage>.sbatch} per stage (in
 * submission order), {@code submit.sh}, and the log directory the jobs write to.
 */
public record RenderedScripts(Path slurmDir, Map<String, Path> stageScripts, Path submitScript, Path logsDir) {
    public RenderedScripts {
        stageScripts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(stageScripts));
    }
}
