package io.mergelab.pipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A done step's files are recorded (size, SHA-256) in its done-marker; a step whose files were damaged after it
 * finished is not done any more and is redone, the cheap checks (sizes, safetensors headers) always, the hashes
 * with {@code run --verify}.
 */
class StepIntegrityTest {

    @Test
    void aTruncatedOutputIsNotDoneAndTheNextRunRedoesOnlyThatStep(@TempDir Path tmp) throws Exception {
        Plan plan = SyntheticStudy.plan(1, null);
        StepStore reference = new StepStore(tmp.resolve("reference"));
        assertTrue(new LocalExecutor(2).execute(plan, reference, new StepListener() { }).ok());
        StepStore store = new StepStore(tmp.resolve("study"));
        assertTrue(new LocalExecutor(2).execute(plan, store, new StepListener() { }).ok());

        Step tune = plan.steps().get(1); // a "fine-tune" that merges and evaluations read
        Path out = store.dir(tune.id()).resolve("out.txt");
        assertTrue(store.readJson(tune.id(), StepStore.DONE).path("files").has("out.txt"), "the marker records it");
        Files.writeString(out, Files.readString(out).substring(0, 10)); // truncated
        assertFalse(store.isDone(tune.id()));
        assertTrue(store.brokenReason(tune.id(), false).startsWith("out.txt has 10 bytes, 64 when"),
                store.brokenReason(tune.id(), false));

        RunSummary again = new LocalExecutor(2).execute(plan, store, new StepListener() { });
        assertTrue(again.ok(), again.toString());
        assertEquals(List.of(tune.id()), again.ran(), "only the damaged step is redone");
        assertNull(store.brokenReason(tune.id(), true));
        assertEquals(Files.readString(reference.dir(tune.id()).resolve("out.txt")), Files.readString(out));
    }

    @Test
    void safetensorsHeadersAreCheckedAlwaysAndContentsWithHashes(@TempDir Path tmp) throws Exception {
        Path weights = Path.of("src/test/resources/models/fake-gpt2/model.safetensors");
        Step step = Step.keyed("finetune", "a fine-tune", Map.of("k", "v"), List.of(), Map.of(), ctx -> {
            Files.createDirectories(ctx.workDir().resolve("model"));
            Files.copy(weights, ctx.workDir().resolve("model/model.safetensors"));
        });
        Plan plan = new Plan("p", List.of(step));
        StepStore store = new StepStore(tmp.resolve("study"));
        assertTrue(new LocalExecutor(1).execute(plan, store, new StepListener() { }).ok());
        Path file = store.dir(step.id()).resolve("model/model.safetensors");
        assertNull(store.brokenReason(step.id(), true));

        long size = Files.size(file);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(size - 3); // a weight's bytes: the same size, a valid header
            f.write(new byte[] {1, 2, 3});
        }
        assertTrue(store.isDone(step.id()), "sizes and header cannot see a changed weight");
        String changed = store.brokenReason(step.id(), true);
        assertNotNull(changed, "the hash sees it");
        assertTrue(changed.contains("model/model.safetensors changed since the step finished"), changed);
        store.markUndone(step.id()); // what run --verify does with it
        assertFalse(store.isDone(step.id()));
        assertTrue(new LocalExecutor(1).execute(plan, store, new StepListener() { }).ran().contains(step.id()));
        assertNull(store.brokenReason(step.id(), true));

        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(10); // inside the JSON header
            f.write("\0\0\0".getBytes());
        }
        assertFalse(store.isDone(step.id()), "a damaged header is seen without hashing");
        assertTrue(store.brokenReason(step.id(), false).startsWith("model/model.safetensors is damaged"),
                store.brokenReason(step.id(), false));
    }
}
