package io.mergelab.model.hub;

import io.mergelab.model.hub.ModelReference.HubId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Optional check (needs the reference venv, so off by default and in CI): huggingface_hub's own hf_hub_download,
 * pointed at the same fake hub with HF_ENDPOINT, writes exactly the cache tree that SnapshotFetcher writes.
 * Run with {@code -Dmergelab.golden.python=.cache/golden-venv/bin/python}.
 */
@EnabledIfSystemProperty(named = "mergelab.golden.python", matches = ".+")
class HuggingfaceHubParityTest {
    static final String SCRIPT = """
            import sys
            from huggingface_hub import hf_hub_download
            from huggingface_hub.errors import EntryNotFoundError
            repo, cache, *files = sys.argv[1:]
            for f in files:
                try:
                    hf_hub_download(repo, f, cache_dir=cache)
                except EntryNotFoundError:
                    pass
            """;

    @TempDir
    Path tmp;

    @Test
    void huggingfaceHubWritesTheSameCacheTree() throws Exception {
        String python = System.getProperty("mergelab.golden.python");
        Map<String, byte[]> files = HubFixtures.filesOf(HubFixtures.writeCheckpoint(tmp.resolve("model"), Long.MAX_VALUE));
        HubId id = new HubId("mergelab-test/tiny-gpt2", "main");
        try (FakeHub hub = new FakeHub()) {
            hub.addRepo(id.repoId(), HubFixtures.COMMIT, files, Set.of("model.safetensors"), null);
            Path ours = tmp.resolve("ours");
            new SnapshotFetcher(HubFixtures.settings(ours, hub), null).fetch(id);

            Path theirs = tmp.resolve("theirs");
            Files.writeString(tmp.resolve("fetch.py"), SCRIPT);
            List<String> cmd = new java.util.ArrayList<>(List.of(python, tmp.resolve("fetch.py").toString(),
                    id.repoId(), theirs.toString()));
            cmd.addAll(List.of("config.json", "model.safetensors"));
            cmd.addAll(SnapshotFetcher.OPTIONAL_FILES);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("HF_ENDPOINT", hub.endpoint().toString());
            pb.environment().put("HF_HUB_DISABLE_TELEMETRY", "1");
            pb.environment().remove("HF_TOKEN");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);

            Map<String, String> a = tree(ours);
            Map<String, String> b = tree(theirs);
            assertEquals(b, a, "cache trees differ\nhuggingface_hub: " + b.keySet() + "\nmergelab:        " + a.keySet());
        }
    }

    /** Relative path -> "dir", "link -> target" or "file sha256"; lock files are an implementation detail. */
    static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String rel = root.relativize(p).toString();
                if (rel.isEmpty() || rel.startsWith(".locks")) {
                    continue;
                }
                if (Files.isSymbolicLink(p)) {
                    m.put(rel, "link -> " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    m.put(rel, "dir");
                } else {
                    m.put(rel, "file " + FakeHub.sha256(Files.readAllBytes(p)));
                }
            }
        }
        return m;
    }
}
