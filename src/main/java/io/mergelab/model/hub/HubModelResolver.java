package io.mergelab.model.hub;

import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.hub.ModelReference.HubId;
import io.mergelab.model.hub.ModelReference.LocalDir;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns a model reference into a checkpoint directory on this machine: a local directory as it is, a hub id
 * through the Hugging Face cache (downloading what is missing unless {@code HF_HUB_OFFLINE} is set).
 */
public final class HubModelResolver {
    private final SnapshotFetcher fetcher;

    public HubModelResolver(SnapshotFetcher fetcher) {
        this.fetcher = fetcher;
    }

    public HubModelResolver(HubSettings settings, PrintStream messages) {
        this(new SnapshotFetcher(settings, messages));
    }

    /** From the process environment, with progress and warnings on stderr. */
    public static HubModelResolver fromEnvironment() {
        return new HubModelResolver(HubSettings.fromEnvironment(), System.err);
    }

    public Path resolve(String reference) {
        return resolve(ModelReference.parse(reference));
    }

    public Path resolve(ModelReference reference) {
        if (reference instanceof LocalDir local) {
            if (!Files.isDirectory(local.dir())) {
                throw new HubException(local.dir() + ": no such checkpoint directory"
                        + (Files.exists(local.dir()) ? " (it is a file)" : ""));
            }
            return local.dir();
        }
        return fetcher.fetch((HubId) reference);
    }

    /** Resolves and opens the checkpoint (headers only; tensors are read lazily). */
    public CheckpointDir open(String reference) {
        return CheckpointDir.open(resolve(reference));
    }
}
