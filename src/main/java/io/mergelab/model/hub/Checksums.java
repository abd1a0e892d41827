package io.mergelab.model.hub;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The ids the hub gives a file's content: sha256 for LFS files, the git blob sha1 for files kept in git. */
final class Checksums {
    private Checksums() {
    }

    static String sha256(Path file) throws IOException {
        return digest(file, "SHA-256", null);
    }

    /** git's object id of a blob: sha1 of {@code "blob <size>\0"} followed by the content. */
    static String gitBlobSha1(Path file) throws IOException {
        return digest(file, "SHA-1", ("blob " + Files.size(file) + "\0").getBytes(StandardCharsets.US_ASCII));
    }

    private static String digest(Path file, String algorithm, byte[] prefix) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " missing from this JVM", e);
        }
        if (prefix != null) {
            md.update(prefix);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
