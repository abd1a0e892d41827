package io.mergelab.merge;

import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.checkpoint.CheckpointFormatException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns recipe model references into opened checkpoints: earlier stage names first, then paths
 * relative to the recipe's directory, then to the working directory. Hub ids and
 * {@code path@revision} / {@code model+lora} forms are not supported (no network here).
 */
public final class ModelResolver {
    private final Path recipeDir;
    private final Map<String, Path> named = new HashMap<>();
    private final Map<Path, CheckpointDir> opened = new HashMap<>();

    public ModelResolver(Path recipeDir) {
        this.recipeDir = recipeDir == null ? Path.of(".") : recipeDir;
    }

    /** Makes {@code name} (a stage's name) resolve to {@code dir}. */
    public void define(String name, Path dir) {
        named.put(name, dir);
    }

    public synchronized ModelInput resolve(String ref, String field) {
        Path p = named.get(ref);
        if (p == null) {
            if (ref.contains("+")) {
                throw new MergeException(field + ": model '" + ref + "': LoRA references (model+lora) are not "
                        + "supported; merge the adapter first");
            }
            Path candidate = Path.of(ref);
            p = candidate.isAbsolute() ? candidate : recipeDir.resolve(candidate);
            if (!Files.isDirectory(p) && Files.isDirectory(candidate)) {
                p = candidate;
            }
            if (!Files.isDirectory(p)) {
                throw new MergeException(field + ": model '" + ref + "' not found (looked for directory " + p
                        + "; only local checkpoint directories are supported)");
            }
        }
        Path key = p.toAbsolutePath().normalize();
        CheckpointDir dir = opened.get(key);
        if (dir == null) {
            try {
                dir = CheckpointDir.open(key);
            } catch (CheckpointFormatException e) {
                throw new MergeException(field + ": model '" + ref + "': " + e.getMessage(), e);
            }
            opened.put(key, dir);
        }
        return new ModelInput(ref, dir);
    }
}
