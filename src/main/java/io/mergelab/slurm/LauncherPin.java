package io.mergelab.slurm;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * A frozen copy of the code the submitting JVM runs, for the jobs of one submission: {@code bin/mergelab}
 * rebuilds the jar when sources change, and a rebuild in the middle of a cluster run once changed step
 * ids mid-study. The pin holds every class path entry of this JVM (jar manifests' {@code Class-Path}
 * followed): directories copied, jars hard-linked when on the same file system (else copied), and a
 * {@code java.args} file ({@code -cp ...}) that jobs pass to {@code java @java.args}.
 */
public final class LauncherPin {
    public static final String ARGS_FILE = "java.args";

    private final Path dir;

    private LauncherPin(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** Pins {@code classPath} (e.g. {@code System.getProperty("java.class.path")}) into the new folder {@code dir}. */
    public static LauncherPin create(String classPath, Path dir) {
        try {
            Path parent = dir.toAbsolutePath().normalize().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempDirectory(parent, "." + dir.getFileName() + ".tmp-");
            List<String> entries = new ArrayList<>();
            int n = 0;
            for (Path entry : expand(classPath)) {
                String name = String.format("%04d-%s", n++, entry.getFileName());
                Path target = tmp.resolve("cp").resolve(name);
                Files.createDirectories(target.getParent());
                if (Files.isDirectory(entry)) {
                    copyTree(entry, target);
                } else {
                    linkOrCopy(entry, target);
                }
                entries.add(dir.toAbsolutePath().normalize().resolve("cp").resolve(name).toString());
            }
            if (entries.isEmpty()) {
                throw new SlurmException("cannot pin the launcher: this JVM's class path is empty");
            }
            // argfile syntax: quote the value so blanks in paths survive
            Files.writeString(tmp.resolve(ARGS_FILE), "-cp \"" + String.join(File.pathSeparator, entries)
                    .replace("\\", "\\\\") + "\"\n");
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            return new LauncherPin(dir.toAbsolutePath().normalize());
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot pin the launcher for the jobs: " + e.getMessage(), e);
        }
    }

    /**
     * The shell words that start the pinned CLI ({@code <home>/bin/native-env java ... io.mergelab.cli.Main}), with
     * the settings bin/mergelab uses: bin/native-env's environment (DJL offline, jemalloc), {@code mergelab.home};
     * {@code MERGELAB_JAVA_OPTS} as in bin/mergelab. A plain command (no assignment prefix), so a batch script can
     * {@code exec} it.
     */
    public String javaCommand(Path home) {
        Path root = home.toAbsolutePath().normalize();
        return SbatchRenderer.quote(root.resolve("bin/native-env").toString())
                + " java ${MERGELAB_JAVA_OPTS:--Xmx8g} -Dai.djl.offline=true -Dmergelab.home="
                + SbatchRenderer.quote(root.toString()) + " @"
                + SbatchRenderer.quote(dir.resolve(ARGS_FILE).toString()) + " io.mergelab.cli.Main";
    }

    /** Class path entries in order, each jar followed by the entries its manifest's Class-Path names. */
    static List<Path> expand(String classPath) throws IOException {
        Set<Path> out = new LinkedHashSet<>();
        for (String e : classPath.split(File.pathSeparator)) {
            if (!e.isBlank()) {
                add(Path.of(e).toAbsolutePath().normalize(), out);
            }
        }
        return List.copyOf(out);
    }

    private static void add(Path entry, Set<Path> out) throws IOException {
        if (!Files.exists(entry) || !out.add(entry) || Files.isDirectory(entry)) {
            return;
        }
        try (JarFile jar = new JarFile(entry.toFile())) {
            Manifest m = jar.getManifest();
            String cp = m == null ? null : m.getMainAttributes().getValue("Class-Path");
            if (cp == null) {
                return;
            }
            URI base = entry.toUri();
            for (String ref : cp.trim().split("\\s+")) {
                if (!ref.isEmpty()) {
                    add(Path.of(base.resolve(ref)).toAbsolutePath().normalize(), out);
                }
            }
        }
    }

    /** Dependency jars (versioned, in a lib/ folder or the Maven repository) are linked; the project's own jar is copied,
     *  as a rebuild may rewrite it in place. */
    private static void linkOrCopy(Path from, Path to) throws IOException {
        boolean dependency = from.getParent() != null && (from.getParent().getFileName().toString().equals("lib")
                || from.toString().contains(File.separator + "repository" + File.separator));
        if (!dependency) {
            Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
            return;
        }
        try {
            Files.createLink(to, from);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(d).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                Files.copy(f, to.resolve(from.relativize(f).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
