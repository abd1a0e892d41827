package io.mergelab.model.hub;

import io.mergelab.model.hub.ModelReference.HubId;
import io.mergelab.model.hub.ModelReference.LocalDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parsing references and reading the environment the way huggingface_hub does. */
class ModelReferenceTest {
    @TempDir
    Path tmp;

    @Test
    void hubIdsWithAndWithoutOrgAndRevision() {
        assertEquals(new HubId("openai-community/gpt2", "main"), ModelReference.parse("openai-community/gpt2", tmp));
        assertEquals(new HubId("gpt2", "main"), ModelReference.parse("gpt2", tmp));
        assertEquals(new HubId("gpt2-medium", "v1.0"), ModelReference.parse("gpt2-medium@v1.0", tmp));
        assertEquals(new HubId("org/m", "refs/pr/3"), ModelReference.parse("org/m@refs/pr/3", tmp));
        HubId commit = (HubId) ModelReference.parse("org/m@" + HubFixtures.COMMIT, tmp);
        assertTrue(commit.isCommit());
        assertEquals("models--openai-community--gpt2", new HubId("openai-community/gpt2", "main").cacheFolderName());
    }

    @Test
    void anExistingDirectoryWinsOverAHubId() throws IOException {
        Files.createDirectories(tmp.resolve("org/name"));
        assertEquals(new LocalDir(tmp.resolve("org/name")), ModelReference.parse("org/name", tmp));
        Files.createDirectories(tmp.resolve("gpt2"));
        assertEquals(new LocalDir(tmp.resolve("gpt2")), ModelReference.parse("gpt2", tmp));
    }

    @Test
    void pathShapedTextIsALocalDirectoryEvenWhenMissing() {
        assertEquals(new LocalDir(tmp.resolve("runs/a/model")), ModelReference.parse("runs/a/model", tmp));
        assertEquals(new LocalDir(tmp.resolve("x")), ModelReference.parse("./x", tmp));
        assertEquals(new LocalDir(Path.of("/abs/model")), ModelReference.parse("/abs/model", tmp));
    }

    @Test
    void badIdsAreRejected() {
        assertThrows(HubException.class, () -> ModelReference.parseHubId("a--b/c"));
        assertThrows(HubException.class, () -> ModelReference.parseHubId("a/b/c"));
        assertThrows(HubException.class, () -> ModelReference.parseHubId("gpt2@"));
        assertThrows(HubException.class, () -> new HubId("org/m", "../../etc"));
        assertEquals(new HubId("gpt2", "main"), ModelReference.parseHubId(" gpt2 "));
    }

    @Test
    void cacheLocationFollowsHuggingfaceHubPrecedence() {
        Path home = tmp.resolve("home");
        assertEquals(home.resolve(".cache/huggingface/hub"), HubSettings.fromEnvironment(Map.of(), home).cacheDir());
        assertEquals(tmp.resolve("xdg/huggingface/hub"),
                HubSettings.fromEnvironment(Map.of("XDG_CACHE_HOME", tmp.resolve("xdg").toString()), home).cacheDir());
        assertEquals(tmp.resolve("hf/hub"),
                HubSettings.fromEnvironment(Map.of("HF_HOME", tmp.resolve("hf").toString()), home).cacheDir());
        assertEquals(tmp.resolve("c"), HubSettings.fromEnvironment(Map.of("HF_HOME", tmp.resolve("hf").toString(),
                "HF_HUB_CACHE", tmp.resolve("c").toString()), home).cacheDir());
        assertEquals(home.resolve("x/hub"), HubSettings.fromEnvironment(Map.of("HF_HOME", "~/x"), home).cacheDir());
    }

    @Test
    void endpointOfflineAndTokenComeFromTheEnvironment() throws IOException {
        Path home = tmp.resolve("home");
        HubSettings plain = HubSettings.fromEnvironment(Map.of(), home);
        assertEquals(URI.create(HubSettings.DEFAULT_ENDPOINT), plain.endpoint());
        assertFalse(plain.offline());
        assertEquals(Optional.empty(), plain.token());

        HubSettings s = HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "http://127.0.0.1:9/", "HF_HUB_OFFLINE", "1",
                "HF_TOKEN", "hf_abc"), home);
        assertEquals(URI.create("http://127.0.0.1:9"), s.endpoint());
        assertTrue(s.offline());
        assertEquals(Optional.of("hf_abc"), s.token());
        assertFalse(s.toString().contains("hf_abc"), s.toString());
        assertTrue(HubSettings.fromEnvironment(Map.of("TRANSFORMERS_OFFLINE", "yes"), home).offline());
        assertFalse(HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", "0"), home).offline());

        Files.createDirectories(home.resolve(".cache/huggingface"));
        Files.writeString(home.resolve(".cache/huggingface/token"), "hf_fromfile\n");
        assertEquals(Optional.of("hf_fromfile"), HubSettings.fromEnvironment(Map.of(), home).token());
        assertThrows(HubException.class, () -> HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "ftp://x"), home));
    }
}
