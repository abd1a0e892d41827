package io.mergelab.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mergelab.model.gpt2.ModelPreset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    static Path shared;
    @TempDir
    Path tmp;

    private static Path model;
    private static String classpath;
    private static Path straight;

    /** The uninterrupted run both tests compare with (periodic saves do not change what is trained). */
    @BeforeAll
    static void uninterruptedRun() throws Exception {
        model = TrainFixtures.model(ModelPreset.TINY, shared);
        classpath = ResumeAfterKillTest.stableClasspath(shared.resolve("cp"));
        straight = shared.resolve("straight");
        ResumeAfterKillTest.finishes(child(classpath, model, straight).start(), "uninterrupted", LOG);
    }

    @Test
    void killedPretrainingResumesToIdenticalWeights() throws Exception {
        Path killed = tmp.resolve("killed");

        ResumeAfterKillTest.killOnceCheckpointed(child(classpath, model, killed).start(), killed,
                2 * PretrainResumeChild.SAVE_STEPS);
        assertFalse(Files.exists(killed.resolve(TrainingOutput.METRICS)), "the killed run must not look finished");

        ResumeAfterKillTest.finishes(child(classpath, model, killed).start(), "resumed", LOG);

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

    /**
     * SIGTERM between periodic checkpoints (Slurm's scancel, requeue, time limit): pre-training saves the step it
     * reached, exits 143, and the rerun continues from that step to the weights and history of an uninterrupted run.
     * Only epoch ends would save here (an epoch is well over 24 steps), so without the signal's checkpoint the rerun
     * would start from scratch.
     */
    @Test
    void sigtermedPretrainingSavesItsStepAndTheRerunContinuesFromIt() throws Exception {
        Path stopped = tmp.resolve("stopped");
        Path log = tmp.resolve("stopped.log");
        Process first = child(classpath, model, stopped, "1000").redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!(Files.exists(log) && Files.readString(log).contains("profile step 10:"))) {
            assertTrue(first.isAlive() && System.nanoTime() < deadline, "no step 10 in\n" + Files.readString(log));
            Thread.sleep(20);
        }
        assertTrue(ResumeCheckpoints.latest(stopped).isEmpty(), "no periodic checkpoint yet");
        first.destroy(); // SIGTERM
        assertTrue(first.waitFor(60, TimeUnit.SECONDS), "no exit after SIGTERM");
        String text = Files.readString(log);
        assertEquals(128 + 15, first.exitValue(), text);
        Matcher m = Pattern.compile("stopped after step (\\d+) of "
                + PretrainResumeChild.MAX_STEPS + ": resume checkpoint (\\S+)").matcher(text);
        assertTrue(m.find(), text);
        int step = Integer.parseInt(m.group(1));
        assertTrue(step > 10 && step < PretrainResumeChild.MAX_STEPS, "stopped at step " + step);
        assertEquals(stopped.resolve("checkpoints/checkpoint-" + step).toString(), m.group(2));

        Process second = child(classpath, model, stopped, "1000").redirectOutput(
                ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        ResumeAfterKillTest.finishes(second, "resumed", log.toString());
        assertTrue(Files.readString(log).contains("resuming from " + m.group(2) + " (step " + step + ")"),
                Files.readString(log));
        WeightsComparison.assertBitIdentical(straight, stopped, "pre-trained weights differ after SIGTERM and resume");
        assertEquals(history(straight), history(stopped));
    }

    private static ProcessBuilder child(String classpath, Path model, Path out, String... extra) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx2g",
                "-Dai.djl.offline=true", ResumeAfterKillTest.ONE_THREAD, "-Dmergelab.train.profile=true",
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"), "-cp", classpath,
                PretrainResumeChild.class.getName(), model.toString(), out.toString()));
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("OPT_OUT_TRACKING", "true");
        pb.environment().remove("PYTORCH_LIBRARY_PATH");
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(new File(LOG)));
        return pb;
    }
}
