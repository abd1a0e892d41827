package io.mergelab.model.hub;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * What a HEAD on {@code /<repo>/resolve/<rev>/<file>} tells: the commit, the blob id and where to download it.
 *
 * @param filename the file in the repository
 * @param commit {@code X-Repo-Commit}
 * @param etag normalised {@code X-Linked-Etag} (LFS: the sha256) or {@code ETag} (git blob sha1)
 * @param size {@code X-Linked-Size}, else {@code Content-Length}; -1 when unknown
 * @param location URL to GET: the CDN for LFS files, the resolve URL otherwise
 * @param lfs whether the hub stored it in LFS (it sent {@code X-Linked-Etag})
 */
record RemoteFile(String filename, String commit, String etag, long size, URI location, boolean lfs) {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SHA1 = Pattern.compile("[0-9a-f]{40}");

    /** The sha256 the content must have, when the etag is one (LFS files). */
    boolean hasSha256() {
        return SHA256.matcher(etag).matches();
    }

    /** A git blob sha1 etag (small files in git) can be checked too: sha1("blob SIZE\0" + content). */
    boolean hasGitSha1() {
        return !lfs && SHA1.matcher(etag).matches();
    }

    /** huggingface_hub's _normalize_etag: drop a weak marker and the quotes. */
    static String normalizeEtag(String etag) {
        if (etag == null) {
            return null;
        }
        String e = etag.strip();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            e = e.substring(1, e.length() - 1);
        }
        return e.isEmpty() ? null : e;
    }
}
