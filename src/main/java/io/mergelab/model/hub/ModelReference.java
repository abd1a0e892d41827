package io.mergelab.model.hub;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * What a config's {@code base_model} or a command's model argument names: a local checkpoint directory or a
 * Hugging Face hub id ({@code org/name} or {@code name}, optionally {@code @revision}). Experiment step outputs
 * are resolved by the pipeline before it calls {@link #parse(String, Path)}; there, and here, a reference that
 * is an existing directory always wins over a hub id.
 */
public sealed interface ModelReference {

    /** A checkpoint directory on this machine (it may not exist; the resolver says so). */
    record LocalDir(Path dir) implements ModelReference {
        @Override
        public String toString() {
            return dir.toString();
        }
    }

    /**
     * A hub model repository at a revision (branch, tag or 40-hex commit; default {@code main}).
     *
     * @param repoId {@code org/name} or {@code name}, as huggingface_hub validates it
     */
    record HubId(String repoId, String revision) implements ModelReference {
        public static final String DEFAULT_REVISION = "main";

        public HubId {
            if (!isValidRepoId(repoId)) {
                throw new HubException("'" + repoId + "' is not a hub model id: expected 'name' or 'org/name' made of "
                        + "letters, digits, '-', '_' and '.', without '--' or '..', at most 96 characters");
            }
            if (revision == null || revision.isBlank()) {
                revision = DEFAULT_REVISION;
            }
            if (revision.contains("..") || revision.startsWith("/") || revision.endsWith("/")
                    || revision.chars().anyMatch(c -> c < 0x20 || c == '\\')) {
                throw new HubException("'" + revision + "' is not a valid revision of " + repoId
                        + ": expected a branch, tag or commit sha");
            }
        }

        /** Whether the revision is already a full commit sha (no lookup of refs needed). */
        public boolean isCommit() {
            return COMMIT.matcher(revision).matches();
        }

        /** Folder under the cache root, as huggingface_hub names it: {@code models--org--name}. */
        public String cacheFolderName() {
            return "models--" + repoId.replace("/", "--");
        }

        @Override
        public String toString() {
            return revision.equals(DEFAULT_REVISION) ? repoId : repoId + "@" + revision;
        }
    }

    Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    /** huggingface_hub's REPO_ID_REGEX. */
    Pattern REPO_ID = Pattern.compile("^(\\b[\\w\\-.]+\\b/)?\\b[\\w\\-.]+\\b$");

    /** Parses relative to the working directory. */
    static ModelReference parse(String text) {
        return parse(text, Path.of("").toAbsolutePath());
    }

    /**
     * An existing directory (relative to {@code baseDir}) wins; then anything shaped like a hub id; then anything
     * else is a local path (so a mistyped path reports "no such directory", not a hub lookup).
     */
    static ModelReference parse(String text, Path baseDir) {
        if (text == null || text.isBlank()) {
            throw new HubException("empty model reference: expected a checkpoint directory or a hub id such as org/name");
        }
        String t = text.strip();
        Path asPath = null;
        try {
            asPath = expandHome(t);
            Path resolved = baseDir.resolve(asPath);
            if (Files.isDirectory(resolved)) {
                return new LocalDir(resolved.normalize());
            }
        } catch (InvalidPathException e) {
            // not a path on this OS; may still be a hub id
        }
        if (!looksLikePath(t)) {
            int at = t.indexOf('@');
            String id = at < 0 ? t : t.substring(0, at);
            String rev = at < 0 ? HubId.DEFAULT_REVISION : t.substring(at + 1);
            if (isValidRepoId(id)) {
                if (rev.isEmpty()) {
                    throw new HubException("'" + t + "': empty revision after '@'");
                }
                return new HubId(id, rev);
            }
        }
        if (asPath == null) {
            throw new HubException("'" + t + "' is neither a directory nor a hub id (org/name[@revision])");
        }
        return new LocalDir(baseDir.resolve(asPath).normalize());
    }

    /** A hub id only ({@code org/name[@revision]}), never a local path: for commands that fetch. */
    static HubId parseHubId(String text) {
        String t = text == null ? "" : text.strip();
        int at = t.indexOf('@');
        String id = at < 0 ? t : t.substring(0, at);
        if (!isValidRepoId(id) || (at >= 0 && at == t.length() - 1)) {
            throw new HubException("'" + t + "' is not a hub model id: expected name or org/name, optionally @revision");
        }
        return new HubId(id, at < 0 ? HubId.DEFAULT_REVISION : t.substring(at + 1));
    }

    static boolean isValidRepoId(String id) {
        return id != null && id.length() <= 96 && REPO_ID.matcher(id).matches() && !id.contains("--")
                && !id.contains("..") && !id.endsWith(".git");
    }

    private static boolean looksLikePath(String t) {
        return t.startsWith("/") || t.startsWith("./") || t.startsWith("../") || t.startsWith("~") || t.equals(".")
                || t.equals("..") || t.contains("\\") || t.endsWith("/");
    }

    private static Path expandHome(String t) {
        if (t.equals("~") || t.startsWith("~/")) {
            return Path.of(System.getProperty("user.home")).resolve(t.length() > 1 ? t.substring(2) : "");
        }
        return Path.of(t);
    }
}
