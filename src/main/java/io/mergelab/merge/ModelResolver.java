package io.mergelab.merge;

import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.checkpoint.CheckpointFormatException;
import io.mergelab.model.hub.HubException;
import io.mergelab.model.hub.ModelReference;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns recipe model references into opened checkpoints: earlier stage names first, then paths
 * relative to the recipe's directory, then to the working directory, then hub ids ({@code org/name[@rev]})
 * through the Hugging Face cache. {@code model+lora} forms are not supported.
 */
public final class ModelResolver {
    private final Path recipeDir;
    private final io.mergelab.model.hub.HubModelResolver hub;
    private final Map<String, Path> named = new HashMap<>();
    private final Map<Path, CheckpointDir> opened = new HashMap<>();

    /** Hub ids resolve through the cache the environment names (HF_HUB_CACHE, HF_HUB_OFFLINE, ...). */
    public ModelResolver(Path recipeDir) {
        this(recipeDir, null);
    }

    /** @param hub how hub ids become directories; null: from the environment, made on first use */
    public ModelResolver(Path recipeDir, io.mergelab.model.hub.HubModelResolver hub) {
        this.recipeDir = recipeDir == null ? Path.of(".") : recipeDir;
        this.hub = hub;
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
            if (!Files.isDirectory(p) && ModelReference.parse(ref, recipeDir) instanceof ModelReference.HubId id) {
                try {
                    p = (hub != null ? hub : io.mergelab.model.hub.HubModelResolver.fromEnvironment()).resolve(id);
                } catch (HubException e) {
                    throw new MergeException(field + ": model '" + ref + "': no directory " + p + "; as a hub id: "
                            + e.getMessage(), e);
                }
            }
            if (!Files.isDirectory(p)) {
                throw new MergeException(field + ": model '" + ref + "' not found (looked for directory " + p
                        + "; a hub id is written org/name[@revision])");
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
