package io.mergelab.model.hub;

import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.checkpoint.ShardedIndex;
import io.mergelab.model.hub.ModelReference.HubId;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Makes {@code snapshots/COMMIT/} of a hub model complete in the cache: config.json, the safetensors weights
 * (single file, or the index and every shard it names) and the tokenizer files the repository has. Files
 * already in the snapshot are not asked for again; blobs are downloaded and verified first and linked into
 * the snapshot only when all of them are there, so a failed fetch never leaves a half snapshot behind.
 */
public final class SnapshotFetcher {
    static final String CONFIG = "config.json";
    static final String SINGLE = "model.safetensors";
    static final String INDEX = ShardedIndex.FILE_NAME;
    static final List<String> PICKLE_FILES = List.of("pytorch_model.bin", "pytorch_model.bin.index.json");
    /** Fetched when the repository has them; a 404 is recorded in .no_exist as huggingface_hub does. */
    static final List<String> OPTIONAL_FILES = Stream.concat(CheckpointDir.TOKENIZER_FILES.stream(),
            Stream.of(CheckpointDir.GENERATION_CONFIG)).toList();

    private final HubSettings settings;
    private final HubCache cache;
    private final HubClient client;
    private final PrintStream messages;

    /** @param messages where progress bars and warnings go (stderr in the CLI); null for silence */
    public SnapshotFetcher(HubSettings settings, PrintStream messages) {
        this.settings = settings;
        this.cache = new HubCache(settings.cacheDir());
        this.client = new HubClient(settings, messages);
        this.messages = messages;
    }

    public HubSettings settings() {
        return settings;
    }

    /** The snapshot directory of {@code id}, downloading what is missing unless offline. */
    public Path fetch(HubId id) {
        if (settings.offline()) {
            return fromCache(id, "HF_HUB_OFFLINE is set");
        }
        if (id.isCommit() && missingInCache(id, id.revision()).isEmpty()) {
            return cache.snapshotDir(id, id.revision());   // a commit never changes: no need to ask the hub
        }
        try {
            return fetchOnline(id);
        } catch (HubException.Unreachable e) {
            Optional<String> commit = cache.commitOf(id);
            if (commit.isPresent() && missingInCache(id, commit.get()).isEmpty()) {
                warn("warning: " + e.getMessage() + "; using the cached snapshot " + commit.get() + " of " + id);
                return cache.snapshotDir(id, commit.get());
            }
            throw new HubException(e.getMessage() + "; and " + describeMissing(id), e);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the hub cache " + cache.root() + ": " + e.getMessage(), e);
        }
    }

    /** The complete cached snapshot, or an error listing what is missing and where the cache is. */
    public Path fromCache(HubId id, String why) {
        Optional<String> commit = cache.commitOf(id);
        if (commit.isPresent() && missingInCache(id, commit.get()).isEmpty()) {
            return cache.snapshotDir(id, commit.get());
        }
        throw new HubException(why + " and " + describeMissing(id)
                + "; run 'bin/mergelab fetch-model " + id + "' where the hub is reachable (same HF_HUB_CACHE), "
                + "or unset HF_HUB_OFFLINE");
    }

    private String describeMissing(HubId id) {
        Optional<String> commit = cache.commitOf(id);
        Path repo = cache.repoDir(id);
        if (commit.isEmpty()) {
            return id + " is not in the Hugging Face cache " + cache.root() + " (missing " + repo.resolve("refs")
                    .resolve(id.revision()) + ")";
        }
        return id + " is incomplete in the Hugging Face cache " + cache.root() + ": missing "
                + String.join(", ", missingInCache(id, commit.get())) + " in "
                + cache.snapshotDir(id, commit.get());
    }

    /** Required files absent from snapshots/COMMIT: config.json and the weights (tokenizer files are optional). */
    List<String> missingInCache(HubId id, String commit) {
        List<String> missing = new ArrayList<>();
        if (!cache.hasFile(id, commit, CONFIG)) {
            missing.add(CONFIG);
        }
        if (cache.hasFile(id, commit, SINGLE)) {
            return missing;
        }
        if (cache.hasFile(id, commit, INDEX)) {
            for (String shard : ShardedIndex.read(cache.pointer(id, commit, INDEX)).shardFiles()) {
                if (!cache.hasFile(id, commit, shard)) {
                    missing.add(shard);
                }
            }
            return missing;
        }
        for (String pickle : PICKLE_FILES) {
            if (cache.hasFile(id, commit, pickle)) {
                throw unsupportedPickle(id);
            }
        }
        missing.add(SINGLE + " (or " + INDEX + " and its shards)");
        return missing;
    }

    private Path fetchOnline(HubId id) throws IOException {
        RemoteFile config;
        try {
            config = client.head(id, id.revision(), CONFIG);
        } catch (HubException.EntryNotFound e) {
            throw new HubException(id + " has no " + CONFIG + ": not a transformers model repository");
        }
        String commit = config.commit();
        Plan plan = new Plan(id, commit);
        plan.want(config);
        planWeights(plan);
        for (String name : OPTIONAL_FILES) {
            plan.wantIfPresent(name);
        }
        for (RemoteFile f : plan.downloads.values()) {
            ensureBlob(id, f);
        }
        // Everything is in blobs/: now publish the snapshot, then the ref that points at it.
        for (RemoteFile f : plan.downloads.values()) {
            cache.link(id, commit, f.filename(), f.etag());
        }
        for (String name : plan.absent) {
            cache.markMissing(id, commit, name);
        }
        cache.writeRef(id, commit);
        cache.tagCacheDir();
        List<String> missing = missingInCache(id, commit);
        if (!missing.isEmpty()) {
            throw new HubException(id + ": after download still missing " + missing + " in "
                    + cache.snapshotDir(id, commit));
        }
        return cache.snapshotDir(id, commit);
    }

    private void planWeights(Plan plan) throws IOException {
        HubId id = plan.id;
        String commit = plan.commit;
        if (cache.hasFile(id, commit, SINGLE)) {
            return;
        }
        Path indexFile;
        if (cache.hasFile(id, commit, INDEX)) {
            indexFile = cache.pointer(id, commit, INDEX);
        } else {
            if (plan.wantIfPresent(SINGLE)) {
                return;
            }
            Optional<RemoteFile> index = plan.headOptional(INDEX);
            if (index.isEmpty()) {
                for (String pickle : PICKLE_FILES) {
                    if (plan.headOptional(pickle).isPresent()) {
                        throw unsupportedPickle(id);
                    }
                }
                throw new HubException(id + " (commit " + commit + ") has neither " + SINGLE + " nor " + INDEX
                        + "; mergelab needs safetensors weights");
            }
            plan.want(index.get());
            indexFile = ensureBlob(id, index.get());   // its shards are known only once it is read
        }
        for (String shard : ShardedIndex.read(indexFile).shardFiles()) {
            if (!cache.hasFile(id, commit, shard)) {
                RemoteFile f = plan.headOptional(shard).orElseThrow(() -> new HubException(id + " (commit "
                        + commit + "): " + INDEX + " names shard " + shard + ", which the repository does not have"));
                plan.want(f);
            }
        }
    }

    /** The blob of {@code f}, downloaded (resuming blobs/ETAG.incomplete) and verified if not already cached. */
    private Path ensureBlob(HubId id, RemoteFile f) throws IOException {
        Path blob = cache.blob(id, f.etag());
        if (Files.isRegularFile(blob)) {
            return blob;
        }
        Path lockFile = cache.lockFile(id, f.etag());
        Files.createDirectories(lockFile.getParent());
        // One writer per blobs/ETAG.incomplete: the lock keeps two processes from appending to the same file.
        try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = waitForLock(lockChannel, f);
            try {
                if (Files.isRegularFile(blob)) {
                    return blob;   // another process or thread finished it while we waited
                }
                Path partial = cache.incomplete(id, f.etag());
                client.download(id, f, partial);
                verify(id, f, partial);
                HubCache.move(partial, blob);
                return blob;
            } finally {
                lock.release();
            }
        }
    }

    private void verify(HubId id, RemoteFile f, Path partial) throws IOException {
        long size = Files.size(partial);
        String problem = null;
        if (f.size() >= 0 && size != f.size()) {
            problem = "size " + size + " bytes, expected " + f.size();
        } else if (f.hasSha256()) {
            String actual = Checksums.sha256(partial);
            if (!actual.equals(f.etag())) {
                problem = "sha256 " + actual + ", expected " + f.etag();
            }
        } else if (f.hasGitSha1()) {
            String actual = Checksums.gitBlobSha1(partial);
            if (!actual.equals(f.etag())) {
                problem = "git blob sha1 " + actual + ", expected " + f.etag();
            }
        }
        if (problem != null) {
            Files.deleteIfExists(partial);
            throw new HubException(id + ": downloaded " + f.filename() + " has " + problem
                    + " (corrupted in transit or changed on the server); the download was deleted, nothing was "
                    + "added to the snapshot; run again to retry");
        }
    }

    private FileLock waitForLock(FileChannel channel, RemoteFile f) throws IOException {
        boolean told = false;
        while (true) {
            try {
                FileLock lock = channel.tryLock();
                if (lock != null) {
                    return lock;
                }
            } catch (OverlappingFileLockException e) {
                // held by another thread of this JVM: wait the same way
            }
            if (!told) {
                warn("waiting for another download of " + f.filename() + " into " + cache.root());
                told = true;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HubException("interrupted while waiting for another download of " + f.filename());
            }
        }
    }

    private void warn(String line) {
        if (messages != null) {
            messages.println(line);
        }
    }

    static HubException unsupportedPickle(HubId id) {
        return new HubException(id + " has only pytorch_model.bin weights; mergelab reads only safetensors and "
                + "never unpickles (pickle can run arbitrary code). Convert once with: python -c \"from transformers "
                + "import AutoModelForCausalLM as M; M.from_pretrained('" + id.repoId() + "', revision='"
                + id.revision() + "').save_pretrained('OUT_DIR', safe_serialization=True)\" (use the matching "
                + "AutoModelFor... class to keep a head) and pass OUT_DIR, or use a revision that has "
                + "model.safetensors");
    }

    /** What one fetch will download, and what the repository lacks at the commit. */
    private final class Plan {
        final HubId id;
        final String commit;
        final HubId atCommit;
        final Map<String, RemoteFile> downloads = new LinkedHashMap<>();
        final Set<String> absent = new LinkedHashSet<>();

        Plan(HubId id, String commit) {
            this.id = id;
            this.commit = commit;
            this.atCommit = new HubId(id.repoId(), commit);
        }

        void want(RemoteFile f) {
            if (!cache.hasFile(id, commit, f.filename())) {
                downloads.put(f.filename(), f);
            }
        }

        /** Plans the file if the repository has it at the commit; true when it is (or already was) there. */
        boolean wantIfPresent(String name) {
            if (cache.hasFile(id, commit, name)) {
                return true;
            }
            if (cache.knownMissing(id, commit, name)) {
                return false;
            }
            Optional<RemoteFile> f = headOptional(name);
            f.ifPresent(this::want);
            return f.isPresent();
        }

        Optional<RemoteFile> headOptional(String name) {
            try {
                // Later files are asked for at the commit the first answer named: one consistent snapshot.
                RemoteFile f = client.head(atCommit, commit, name);
                if (!f.commit().equals(commit)) {
                    throw new HubException(id + ": the hub answered commit " + f.commit() + " for " + name
                            + " at commit " + commit);
                }
                return Optional.of(f);
            } catch (HubException.EntryNotFound e) {
                absent.add(name);
                return Optional.empty();
            }
        }
    }
}
