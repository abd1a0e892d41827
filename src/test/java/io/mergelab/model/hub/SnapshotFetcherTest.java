package io.mergelab.model.hub;

import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.hub.ModelReference.HubId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static io.mergelab.model.hub.HubFixtures.COMMIT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fetching into the Hugging Face cache from a hub on 127.0.0.1: layout, resume, checksums, token, offline. */
class SnapshotFetcherTest {
    static final HubId TINY = new HubId("mergelab-test/tiny-gpt2", "main");

    static Map<String, byte[]> single;
    static Map<String, byte[]> sharded;

    @TempDir
    static Path models;
    @TempDir
    Path cache;
    FakeHub hub;

    @BeforeAll
    static void writeModels() {
        single = HubFixtures.filesOf(HubFixtures.writeCheckpoint(models.resolve("single"), Long.MAX_VALUE));
        sharded = HubFixtures.filesOf(HubFixtures.writeCheckpoint(models.resolve("sharded"), 100_000));
    }

    @BeforeEach
    void startHub() throws IOException {
        hub = new FakeHub();
        hub.addRepo(TINY.repoId(), COMMIT, single, Set.of("model.safetensors"), null);
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    SnapshotFetcher fetcher() {
        return new SnapshotFetcher(HubFixtures.settings(cache, hub), null);
    }

    Path repoDir(HubId id) {
        return cache.resolve(id.cacheFolderName());
    }

    @Test
    void fetchWritesTheHuggingFaceCacheLayout() throws IOException {
        Path snapshot = fetcher().fetch(TINY);

        Path repo = repoDir(TINY);
        assertEquals(repo.resolve("snapshots").resolve(COMMIT), snapshot);
        assertEquals(COMMIT, Files.readString(repo.resolve("refs/main")), "refs/main holds the sha, no newline");
        for (Map.Entry<String, byte[]> e : single.entrySet()) {
            Path link = snapshot.resolve(e.getKey());
            assertTrue(Files.isSymbolicLink(link), e.getKey() + " is a symlink");
            String blobName = e.getKey().equals("model.safetensors") ? FakeHub.sha256(e.getValue())
                    : FakeHub.gitBlobSha1(e.getValue());
            assertEquals(Path.of("../../blobs/" + blobName), Files.readSymbolicLink(link), "relative, as huggingface_hub");
            assertArrayEquals(e.getValue(), Files.readAllBytes(repo.resolve("blobs").resolve(blobName)));
        }
        assertTrue(Files.exists(repo.resolve(".no_exist").resolve(COMMIT).resolve("generation_config.json")));
        assertTrue(Files.exists(repo.resolve(".no_exist").resolve(COMMIT).resolve("added_tokens.json")));
        assertTrue(Files.isRegularFile(cache.resolve("CACHEDIR.TAG")));
        assertEquals(List.of(), filesNamed(cache, ".incomplete"));

        CheckpointDir ckpt = CheckpointDir.open(snapshot);
        assertEquals(32, ckpt.config().nEmbd());
        ckpt.validateGpt2Shapes();
        assertTrue(ckpt.tokenizerJson().isPresent());
        // the LFS file came from the CDN, not the hub
        assertEquals(1, hub.requests("cdn", "GET").size());
    }

    @Test
    void secondFetchOnlyAsksWhichCommitMainIs() {
        Path first = fetcher().fetch(TINY);
        hub.requests.clear();
        Path second = fetcher().fetch(TINY);
        assertEquals(first, second);
        assertEquals(1, hub.requests.size(), hub.requests.toString());
        assertEquals("HEAD", hub.requests.get(0).method());
    }

    @Test
    void aCommitRevisionThatIsCachedNeedsNoNetwork() {
        fetcher().fetch(TINY);
        hub.requests.clear();
        Path snapshot = fetcher().fetch(new HubId(TINY.repoId(), COMMIT));
        assertEquals(repoDir(TINY).resolve("snapshots").resolve(COMMIT), snapshot);
        assertEquals(List.of(), hub.requests);
    }

    @Test
    void offlineServesTheCacheWithoutTouchingTheNetwork() {
        Path online = fetcher().fetch(TINY);
        hub.requests.clear();
        Path offline = new SnapshotFetcher(HubFixtures.settings(cache, hub).withOffline(true), null).fetch(TINY);
        assertEquals(online, offline);
        assertEquals(List.of(), hub.requests);
    }

    @Test
    void offlineWithAnEmptyCacheSaysWhatIsMissingAndWhere() {
        SnapshotFetcher offline = new SnapshotFetcher(HubFixtures.settings(cache, hub).withOffline(true), null);
        HubException e = assertThrows(HubException.class, () -> offline.fetch(TINY));
        assertTrue(e.getMessage().contains("HF_HUB_OFFLINE"), e.getMessage());
        assertTrue(e.getMessage().contains(cache.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("refs/main"), e.getMessage());
        assertEquals(List.of(), hub.requests);
    }

    @Test
    void offlineWithAHalfCacheListsTheMissingFiles() throws IOException {
        Path snapshot = fetcher().fetch(TINY);
        Files.delete(snapshot.resolve("model.safetensors"));
        hub.requests.clear();
        SnapshotFetcher offline = new SnapshotFetcher(HubFixtures.settings(cache, hub).withOffline(true), null);
        HubException e = assertThrows(HubException.class, () -> offline.fetch(TINY));
        assertTrue(e.getMessage().contains("missing model.safetensors"), e.getMessage());
        assertTrue(e.getMessage().contains(snapshot.toString()), e.getMessage());
        assertEquals(List.of(), hub.requests);
    }

    @Test
    void anInterruptedDownloadResumesWithRange() throws IOException {
        int cut = single.get("model.safetensors").length / 3;
        hub.cutOffNextGet("model.safetensors", cut);
        Path snapshot = fetcher().fetch(TINY);
        assertArrayEquals(single.get("model.safetensors"), Files.readAllBytes(snapshot.resolve("model.safetensors")));
        List<FakeHub.Request> gets = hub.requests("cdn", "GET");
        assertEquals(2, gets.size(), gets.toString());
        assertEquals(null, gets.get(0).range());
        assertEquals("bytes=" + cut + "-", gets.get(1).range());
    }

    @Test
    void aStalledDownloadIsAbandonedAndResumed() throws IOException {
        hub.stallNextGet("model.safetensors", 5000);
        HubSettings quick = HubFixtures.settings(cache, hub).withRetries(3, java.time.Duration.ofMillis(20),
                java.time.Duration.ofMillis(800));
        long t0 = System.nanoTime();
        Path snapshot = new SnapshotFetcher(quick, null).fetch(TINY);
        assertTrue(System.nanoTime() - t0 < FakeHub.STALL_MILLIS * 1_000_000L, "did not wait for the stalled reply");
        assertArrayEquals(single.get("model.safetensors"), Files.readAllBytes(snapshot.resolve("model.safetensors")));
        assertEquals("bytes=5000-", hub.requests("cdn", "GET").get(1).range());
    }

    @Test
    void aPartialBlobFromAnEarlierRunIsResumed() throws IOException {
        byte[] weights = single.get("model.safetensors");
        String sha = FakeHub.sha256(weights);
        Path partial = repoDir(TINY).resolve("blobs").resolve(sha + ".incomplete");
        Files.createDirectories(partial.getParent());
        Files.write(partial, Arrays.copyOf(weights, 1000));

        Path snapshot = fetcher().fetch(TINY);
        assertArrayEquals(weights, Files.readAllBytes(snapshot.resolve("model.safetensors")));
        assertEquals(List.of("bytes=1000-"), hub.requests("cdn", "GET").stream().map(FakeHub.Request::range).toList());
        assertFalse(Files.exists(partial));
    }

    @Test
    void aWrongChecksumIsRejectedAndNothingReachesTheSnapshot() throws IOException {
        hub.corruptOnCdn("model.safetensors");
        HubException e = assertThrows(HubException.class, () -> fetcher().fetch(TINY));
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
        assertTrue(e.getMessage().contains("sha256"), e.getMessage());
        Path repo = repoDir(TINY);
        assertFalse(Files.exists(repo.resolve("snapshots")), "no snapshot entries");
        assertFalse(Files.exists(repo.resolve("refs")), "no ref to a broken snapshot");
        assertEquals(List.of(), filesNamed(repo.resolve("blobs"), FakeHub.sha256(single.get("model.safetensors"))));
        assertEquals(List.of(), filesNamed(repo.resolve("blobs"), ".incomplete"));
    }

    @Test
    void theTokenGoesToTheHubOnlyAndIsNeverPrinted() {
        String token = "hf_secretTOKENvalue123";
        HubId privateId = new HubId("mergelab-test/private-gpt2", "main");
        hub.addRepo(privateId.repoId(), COMMIT, single, Set.of("model.safetensors"), token);

        HubException anonymous = assertThrows(HubException.class, () -> fetcher().fetch(privateId));
        assertTrue(anonymous.getMessage().contains("not found"), anonymous.getMessage());
        assertTrue(anonymous.getMessage().contains("no token is set"), anonymous.getMessage());

        HubSettings withToken = HubFixtures.settings(cache, hub).withToken(token);
        assertFalse(withToken.toString().contains(token));
        hub.requests.clear();
        new SnapshotFetcher(withToken, null).fetch(privateId);
        assertTrue(hub.requests.stream().filter(r -> r.server().equals("hub"))
                .allMatch(r -> ("Bearer " + token).equals(r.authorization())), hub.requests.toString());
        assertTrue(hub.requests.stream().filter(r -> r.server().equals("cdn")).allMatch(r -> r.authorization() == null),
                "the token must not leave the hub for the CDN");

        HubSettings wrongToken = HubFixtures.settings(cache.resolve("other"), hub).withToken("hf_wrong" + token);
        HubException denied = assertThrows(HubException.class, () -> new SnapshotFetcher(wrongToken, null).fetch(privateId));
        assertFalse(denied.getMessage().contains(token), denied.getMessage());
        assertTrue(denied.getMessage().contains("a token is set"), denied.getMessage());
    }

    @Test
    void shardedRepositoriesFetchTheIndexAndEveryShard() {
        assertTrue(sharded.containsKey("model.safetensors.index.json"), sharded.keySet().toString());
        HubId id = new HubId("mergelab-test/sharded-gpt2", "main");
        Set<String> lfs = new java.util.HashSet<>();
        sharded.keySet().stream().filter(n -> n.startsWith("model-")).forEach(lfs::add);
        assertTrue(lfs.size() >= 2, lfs.toString());
        hub.addRepo(id.repoId(), COMMIT, sharded, lfs, null);

        Path snapshot = fetcher().fetch(id);
        CheckpointDir ckpt = CheckpointDir.open(snapshot);
        assertTrue(ckpt.isSharded());
        assertEquals(lfs.size(), ckpt.weightFiles().size());
        CheckpointDir source = CheckpointDir.open(models.resolve("sharded"));
        assertArrayEquals(source.readCanonical("wte.weight").data(), ckpt.readCanonical("wte.weight").data());
        assertTrue(Files.exists(repoDir(id).resolve(".no_exist").resolve(COMMIT).resolve("model.safetensors")));
    }

    @Test
    void aPytorchBinOnlyRepositoryIsRefusedWithAConversionHint() {
        HubId id = new HubId("mergelab-test/pickled-gpt2", "main");
        Map<String, byte[]> files = new HashMap<>();
        files.put("config.json", single.get("config.json"));
        files.put("pytorch_model.bin", "not really a pickle".getBytes(StandardCharsets.UTF_8));
        hub.addRepo(id.repoId(), COMMIT, files, Set.of("pytorch_model.bin"), null);

        HubException e = assertThrows(HubException.class, () -> fetcher().fetch(id));
        assertTrue(e.getMessage().contains("only safetensors"), e.getMessage());
        assertTrue(e.getMessage().contains("save_pretrained('OUT_DIR', safe_serialization=True)"), e.getMessage());
        assertEquals(List.of(), hub.requests("cdn", "GET"), "the pickle is never downloaded");
    }

    @Test
    void serverErrorsAreRetried() {
        hub.failNextHeads(2);
        Path snapshot = fetcher().fetch(TINY);
        assertTrue(Files.isRegularFile(snapshot.resolve("config.json")));
    }

    @Test
    void anUnreachableHubFallsBackToACompleteCache() {
        Path online = fetcher().fetch(TINY);
        hub.close();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path fallback = new SnapshotFetcher(HubFixtures.settings(cache, hub).withRetries(0, java.time.Duration.ZERO,
                java.time.Duration.ofSeconds(2)), new PrintStream(err, true, StandardCharsets.UTF_8)).fetch(TINY);
        assertEquals(online, fallback);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("using the cached snapshot"), err.toString());
    }

    @Test
    void unknownRepositoriesAndRevisionsSaySo() {
        HubException repo = assertThrows(HubException.class,
                () -> fetcher().fetch(new HubId("mergelab-test/nope", "main")));
        assertTrue(repo.getMessage().contains("repository mergelab-test/nope not found"), repo.getMessage());
        HubException rev = assertThrows(HubException.class,
                () -> fetcher().fetch(new HubId(TINY.repoId(), "v9")));
        assertTrue(rev.getMessage().contains("revision 'v9' not found"), rev.getMessage());
    }

    static List<Path> filesNamed(Path root, String part) throws IOException {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.getFileName().toString().contains(part))
                    .filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList();
        }
    }
}
