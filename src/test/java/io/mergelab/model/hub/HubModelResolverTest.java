package io.mergelab.model.hub;

import io.mergelab.model.checkpoint.CheckpointDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** References to checkpoint directories: local ones as they are, hub ids through the cache. */
class HubModelResolverTest {
    @TempDir
    Path tmp;

    @Test
    void localDirectoriesResolveToThemselvesWithoutTheHub() throws Exception {
        Path local = HubFixtures.writeCheckpoint(tmp.resolve("local"), Long.MAX_VALUE);
        try (FakeHub hub = new FakeHub()) {
            HubModelResolver resolver = new HubModelResolver(HubFixtures.settings(tmp.resolve("cache"), hub), null);
            assertEquals(local, resolver.resolve(local.toString()));
            assertEquals(List.of(), hub.requests);
            HubException e = assertThrows(HubException.class, () -> resolver.resolve(tmp.resolve("nope").toString()));
            assertTrue(e.getMessage().contains("no such checkpoint directory"), e.getMessage());
        }
    }

    @Test
    void hubIdsResolveToTheirSnapshotAndOpen() throws Exception {
        Path local = HubFixtures.writeCheckpoint(tmp.resolve("model"), Long.MAX_VALUE);
        try (FakeHub hub = new FakeHub()) {
            hub.addRepo("org/tiny", HubFixtures.COMMIT, HubFixtures.filesOf(local), Set.of("model.safetensors"), null);
            HubModelResolver resolver = new HubModelResolver(HubFixtures.settings(tmp.resolve("cache"), hub), null);
            CheckpointDir ckpt = resolver.open("org/tiny@main");
            assertEquals(tmp.resolve("cache/models--org--tiny/snapshots").resolve(HubFixtures.COMMIT), ckpt.path());
            assertEquals(CheckpointDir.open(local).tensorNames(), ckpt.tensorNames());
        }
    }

    /**
     * $MERGELAB_MODELS: a hub id found as a directory under a local root (org/name or org_name) resolves there without
     * asking the hub, for --model, recipes and studies alike; a pinned revision still goes to the hub.
     */
    @Test
    void hubIdsAreLookedUpUnderTheLocalModelRootsFirst() throws Exception {
        Path roots = tmp.resolve("models");
        Path nested = HubFixtures.writeCheckpoint(roots.resolve("org/tiny"), Long.MAX_VALUE);
        Path flat = HubFixtures.writeCheckpoint(tmp.resolve("more/org_other"), Long.MAX_VALUE);
        assertEquals(List.of(roots, tmp.resolve("more")), HubModelResolver.localRoots(java.util.Map.of(
                HubModelResolver.MODELS_ENV, roots + java.io.File.pathSeparator + tmp.resolve("more"))));
        try (FakeHub hub = new FakeHub()) {
            HubModelResolver resolver = new HubModelResolver(new SnapshotFetcher(
                    HubFixtures.settings(tmp.resolve("cache"), hub), null), List.of(roots, tmp.resolve("more")));
            assertEquals(nested, resolver.resolve("org/tiny"));
            assertEquals(flat, resolver.resolve("org/other"));
            assertEquals(List.of(), hub.requests, "the hub was never asked");
            assertThrows(HubException.class, () -> resolver.resolve("org/tiny@v2"), "a pinned revision is the hub's");
        }
    }
}
