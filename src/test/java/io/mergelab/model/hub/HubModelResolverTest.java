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
}
