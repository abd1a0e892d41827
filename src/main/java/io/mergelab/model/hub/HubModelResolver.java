package io.mergelab.model.hub;

import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.hub.ModelReference.HubId;
import io.mergelab.model.hub.ModelReference.LocalDir;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns a model reference into a checkpoint directory on this machine: a local directory as it is; a hub id first
 * as a directory under one of the local model roots ({@code $MERGELAB_MODELS}, colon-separated: {@code ROOT/ID} or
 * {@code ROOT/org_name}, for clusters whose nodes have no hub), then through the Hugging Face cache (downloading
 * what is missing unless {@code HF_HUB_OFFLINE} is set). Every command, recipe and study resolves models here.
 */
public final class HubModelResolver {
    /** The environment variable naming the local model roots. */
    public static final String MODELS_ENV = "MERGELAB_MODELS";

    private final SnapshotFetcher fetcher;
    private final java.util.List<Path> localRoots;

    public HubModelResolver(SnapshotFetcher fetcher) {
        this(fetcher, java.util.List.of());
    }

    public HubModelResolver(SnapshotFetcher fetcher, java.util.List<Path> localRoots) {
        this.fetcher = fetcher;
        this.localRoots = java.util.List.copyOf(localRoots);
    }

    public HubModelResolver(HubSettings settings, PrintStream messages) {
        this(new SnapshotFetcher(settings, messages));
    }

    /** From the process environment, with progress and warnings on stderr. */
    public static HubModelResolver fromEnvironment() {
        return new HubModelResolver(new SnapshotFetcher(HubSettings.fromEnvironment(), System.err),
                localRoots(System.getenv()));
    }

    /** The roots {@code MERGELAB_MODELS} names (colon-separated; none when unset). */
    public static java.util.List<Path> localRoots(java.util.Map<String, String> env) {
        String v = env.get(MODELS_ENV);
        if (v == null || v.isBlank()) {
            return java.util.List.of();
        }
        return java.util.Arrays.stream(v.split(java.io.File.pathSeparator)).filter(s -> !s.isBlank())
                .map(s -> Path.of(s.strip())).toList();
    }

    /** Where hub id {@code repoId} may sit under a local root: {@code root/org/name}, then {@code root/org_name}. */
    public static java.util.List<Path> localCandidates(Path root, String repoId) {
        return java.util.List.of(root.resolve(repoId), root.resolve(repoId.replace('/', '_')));
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
        HubId id = (HubId) reference;
        if (id.revision().equals(HubId.DEFAULT_REVISION)) { // a pinned revision is the hub's to say
            for (Path root : localRoots) {
                for (Path dir : localCandidates(root, id.repoId())) {
                    if (Files.isRegularFile(dir.resolve("config.json"))) {
                        return dir;
                    }
                }
            }
        }
        return fetcher.fetch(id);
    }

    /** Resolves and opens the checkpoint (headers only; tensors are read lazily). */
    public CheckpointDir open(String reference) {
        return CheckpointDir.open(resolve(reference));
    }
}
