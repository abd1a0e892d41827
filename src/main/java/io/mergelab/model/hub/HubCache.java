package io.mergelab.model.hub;

import io.mergelab.model.hub.ModelReference.HubId;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;

/**
 * The hub cache layout exactly as huggingface_hub writes it:
 * <pre>
 * CACHE/models--org--name/blobs/ETAG                       file content (sha256 for LFS files, git blob sha else)
 * CACHE/models--org--name/snapshots/COMMIT/FILE -> ../../blobs/ETAG   relative symlink
 * CACHE/models--org--name/refs/REVISION                    the commit sha, no newline
 * CACHE/models--org--name/.no_exist/COMMIT/FILE            empty: the file does not exist at that commit
 * </pre>
 * Every write is atomic (temp + rename), so concurrent readers (Python included) never see half a file.
 */
final class HubCache {
    private final Path root;

    HubCache(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    Path repoDir(HubId id) {
        return root.resolve(id.cacheFolderName());
    }

    Path blob(HubId id, String etag) {
        return repoDir(id).resolve("blobs").resolve(safeSegment(etag, "etag"));
    }

    Path incomplete(HubId id, String etag) {
        return repoDir(id).resolve("blobs").resolve(safeSegment(etag, "etag") + ".incomplete");
    }

    Path lockFile(HubId id, String etag) {
        return root.resolve(".locks").resolve(id.cacheFolderName()).resolve(safeSegment(etag, "etag") + ".lock");
    }

    Path snapshotDir(HubId id, String commit) {
        return repoDir(id).resolve("snapshots").resolve(safeSegment(commit, "commit"));
    }

    Path pointer(HubId id, String commit, String filename) {
        return snapshotDir(id, commit).resolve(checkRelative(filename));
    }

    Path refFile(HubId id, String revision) {
        return repoDir(id).resolve("refs").resolve(revision);
    }

    Path noExistMarker(HubId id, String commit, String filename) {
        return repoDir(id).resolve(".no_exist").resolve(safeSegment(commit, "commit")).resolve(checkRelative(filename));
    }

    /** The commit a revision points to: itself when it is a commit sha, else the cached ref. */
    Optional<String> commitOf(HubId id) {
        if (id.isCommit()) {
            return Optional.of(id.revision());
        }
        Path ref = refFile(id, id.revision());
        try {
            if (!Files.isRegularFile(ref)) {
                return Optional.empty();
            }
            String sha = Files.readString(ref, StandardCharsets.UTF_8).strip();
            return sha.isEmpty() ? Optional.empty() : Optional.of(sha);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ref, e);
        }
    }

    /** A snapshot file that exists and whose link resolves (a dangling link counts as missing). */
    boolean hasFile(HubId id, String commit, String filename) {
        return Files.isRegularFile(pointer(id, commit, filename));
    }

    boolean knownMissing(HubId id, String commit, String filename) {
        return Files.exists(noExistMarker(id, commit, filename));
    }

    /** Updates refs/REVISION only when it changes (the cache may be read-only for a complete snapshot). */
    void writeRef(HubId id, String commit) throws IOException {
        if (id.revision().equals(commit)) {
            return;
        }
        Path ref = refFile(id, id.revision());
        if (Files.isRegularFile(ref) && Files.readString(ref, StandardCharsets.UTF_8).equals(commit)) {
            return;
        }
        Files.createDirectories(ref.getParent());
        Path tmp = ref.resolveSibling(ref.getFileName() + "." + shortUuid() + ".tmp");
        try {
            Files.writeString(tmp, commit, StandardCharsets.UTF_8);
            move(tmp, ref);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** snapshots/COMMIT/FILE -> relative path to blobs/ETAG, replaced atomically. */
    void link(HubId id, String commit, String filename, String etag) throws IOException {
        Path pointer = pointer(id, commit, filename);
        Path blob = blob(id, etag);
        Files.createDirectories(pointer.getParent());
        Path target = pointer.getParent().relativize(blob);
        Path tmp = pointer.resolveSibling("." + pointer.getFileName() + "." + shortUuid() + ".tmp");
        try {
            Files.createSymbolicLink(tmp, target);
            move(tmp, pointer);
        } catch (UnsupportedOperationException e) {
            // no symlinks on this file system: huggingface_hub then copies the blob; so do we
            Files.copy(blob, tmp, StandardCopyOption.REPLACE_EXISTING);
            move(tmp, pointer);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    void markMissing(HubId id, String commit, String filename) throws IOException {
        Path marker = noExistMarker(id, commit, filename);
        if (!Files.exists(marker)) {
            Files.createDirectories(marker.getParent());
            try {
                Files.createFile(marker);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // another process recorded it first
            }
        }
    }

    /** huggingface_hub tags the cache root so backup tools skip it; same content. */
    void tagCacheDir() {
        Path tag = root.resolve("CACHEDIR.TAG");
        if (Files.exists(tag, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.createDirectories(root);
            Path tmp = root.resolve(".CACHEDIR.TAG." + shortUuid() + ".tmp");
            Files.writeString(tmp, CACHEDIR_TAG, StandardCharsets.UTF_8);
            move(tmp, tag);
        } catch (IOException e) {
            // cosmetic only
        }
    }

    static final String CACHEDIR_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n"
            + "# This file is a cache directory tag created by huggingface_hub.\n"
            + "# For information about cache directory tags, see:\n"
            + "#\thttps://bford.info/cachedir/\n";

    static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static String shortUuid() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    }

    /** Remote names become paths: reject anything that could leave the repository folder. */
    static String checkRelative(String filename) {
        if (filename.isEmpty() || filename.startsWith("/") || filename.contains("\\") || filename.contains("\0")) {
            throw new HubException("refusing unsafe file name '" + filename + "' from the hub");
        }
        for (String part : filename.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new HubException("refusing unsafe file name '" + filename + "' from the hub");
            }
        }
        return filename;
    }

    private static String safeSegment(String s, String what) {
        if (s == null || s.isEmpty() || s.contains("/") || s.contains("\\") || s.equals(".") || s.equals("..")
                || s.contains("\0")) {
            throw new HubException("refusing unsafe " + what + " '" + s + "' from the hub");
        }
        return s;
    }
}
