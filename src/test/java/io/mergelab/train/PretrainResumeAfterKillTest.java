package io.mergelab.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mergelab.model.gpt2.ModelPreset;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pre-training (sampled softmax, accumulation, dropout) SIGKILLed after a resume checkpoint and restarted with the
 * same command ends with exactly the weights and loss history of an uninterrupted run, as fine-tuning does
 * ({@link ResumeAfterKillTest}; one libtorch thread for the same reason).
 */
@Tag("slow")
class PretrainResumeAfterKillTest {
    private static final String LOG = "target/tmp/pretrain-resume-child.log";

    @TempDir
    Path tmp;

    @Test
    void killedPretrainingResumesToIdenticalWeights() throws Exception {
        Path model = TrainFixtures.model(ModelPreset.TINY, tmp);
        String classpath = ResumeAfterKillTest.stableClasspath(tmp.resolve("cp"));
        Path killed = tmp.resolve("killed");

        ResumeAfterKillTest.killOnceCheckpointed(child(classpath, model, killed).start(), killed,
                2 * PretrainResumeChild.SAVE_STEPS);
        assertFalse(Files.exists(killed.resolve(TrainingOutput.METRICS)), "the killed run must not look finished");

        ResumeAfterKillTest.finishes(child(classpath, model, killed).start(), "resumed", LOG);
        Path straight = tmp.resolve("straight");
        ResumeAfterKillTest.finishes(child(classpath, model, straight).start(), "uninterrupted", LOG);

        WeightsComparison.assertBitIdentical(straight, killed, "pre-trained weights differ after resume");
        assertEquals(history(straight), history(killed));
        int logged = 0;
        for (JsonNode e : history(killed)) {
            logged += e.has("loss") ? 1 : 0;
        }
        assertEquals(PretrainResumeChild.MAX_STEPS, logged, "one loss per step, before and after the kill");
        JsonNode metrics = new ObjectMapper().readTree(killed.resolve(TrainingOutput.METRICS).toFile());
        assertEquals(512, metrics.get("sampled_softmax").asInt());
        assertTrue(metrics.get("perplexity").asDouble() < metrics.get("initial_perplexity").asDouble());
    }

    /** The logged history without the resident memory, which is the process's, not the run's. */
    private static JsonNode history(Path out) throws Exception {
        JsonNode h = new ObjectMapper().readTree(out.resolve(FineTuner.TRAINING_STATE).toFile()).get("log_history");
        h.forEach(e -> ((com.fasterxml.jackson.databind.node.ObjectNode) e).remove("rss_mb"));
        return h;
    }

    private static ProcessBuilder child(String classpath, Path model, Path out) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx2g", "-Dai.djl.offline=true", ResumeAfterKillTest.ONE_THREAD,
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"), "-cp", classpath,
                PretrainResumeChild.class.getName(), model.toString(), out.toString());
        pb.environment().put("OPT_OUT_TRACKING", "true");
        pb.environment().remove("PYTORCH_LIBRARY_PATH");
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(new File(LOG)));
        return pb;
    }
}
