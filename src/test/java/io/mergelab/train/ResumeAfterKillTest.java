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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A child JVM is SIGKILLed after it has written a resume checkpoint, restarted with the same command,
 * and must end with exactly the weights and loss history of an uninterrupted run (dropout on, gradient
 * accumulation, periodic evaluation and best-model tracking included).
 */
@Tag("slow")
class ResumeAfterKillTest {
    @TempDir
    Path tmp;

    @Test
    void killedRunResumesToIdenticalWeights() throws Exception {
        Path model = TrainFixtures.model(ModelPreset.TINY, tmp);
        Path killed = tmp.resolve("killed");
        String classpath = stableClasspath(tmp.resolve("cp"));

        Process first = child(classpath, model, killed).start();
        Path checkpoints = killed.resolve("checkpoints");
        killOnceCheckpointed(first, killed, 2 * ResumeChild.SAVE_STEPS);
        assertFalse(Files.exists(killed.resolve(FineTuner.METRICS)), "the killed run must not look finished");
        assertTrue(Files.isDirectory(checkpoints));

        finishes(child(classpath, model, killed).start(), "resumed", "target/tmp/resume-child.log");

        // the uninterrupted run is a child JVM too: torch's thread count is process-wide and earlier tests in
        // this JVM may have changed it, which changes float reduction order and so the last bits
        Path straight = tmp.resolve("straight");
        finishes(child(classpath, model, straight).start(), "uninterrupted", "target/tmp/resume-child.log");

        WeightsComparison.assertBitIdentical(straight, killed,
                "weights differ after resume");
        assertEquals(losses(straight), losses(killed));
        JsonNode resumedState = new ObjectMapper().readTree(killed.resolve(FineTuner.TRAINING_STATE).toFile());
        assertEquals(ResumeChild.MAX_STEPS, resumedState.get("global_step").asInt());
        assertFalse(Files.exists(killed.resolve("checkpoints")), "checkpoints are removed once finished");
    }

    private static List<String> losses(Path out) throws Exception {
        List<String> l = new ArrayList<>();
        for (JsonNode e : new ObjectMapper().readTree(out.resolve(FineTuner.TRAINING_STATE).toFile())
                .get("log_history")) {
            for (String k : List.of("loss", "grad_norm", "learning_rate", "eval_loss", "eval_accuracy")) {
                if (e.has(k)) {
                    l.add(e.get("step").asInt() + ":" + k + "=" + e.get(k).asDouble());
                }
            }
        }
        return l;
    }

    /** Waits (2 min at most) until {@code out} holds a resume checkpoint of at least {@code step}, then SIGKILLs. */
    static void killOnceCheckpointed(Process child, Path out, int step) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        int seen = -1;
        while (child.isAlive() && System.nanoTime() < deadline) {
            seen = ResumeCheckpoints.latest(out).map(ResumeCheckpoints::stepOf).orElse(-1);
            if (seen >= step) {
                break;
            }
            Thread.sleep(10);
        }
        assertTrue(child.isAlive(), "the child ended before it could be killed (checkpoint step " + seen + ")");
        child.destroyForcibly(); // SIGKILL
        child.waitFor(30, TimeUnit.SECONDS);
    }

    /** Waits (5 min at most) for a child to end and asserts it succeeded. */
    static void finishes(Process child, String which, String log) throws InterruptedException {
        assertTrue(child.waitFor(300, TimeUnit.SECONDS), which + " child did not finish");
        assertEquals(0, child.exitValue(), which + " child failed; see " + log);
    }

    /**
     * The test JVM's class path with its class directories copied aside: other builds in the same checkout
     * may rewrite target/classes while the children start.
     */
    static String stableClasspath(Path dir) throws java.io.IOException {
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e);
            if (Files.isDirectory(p)) {
                Path copy = dir.resolve("dir" + n++);
                try (var walk = Files.walk(p)) {
                    for (Path f : walk.toList()) {
                        Path target = copy.resolve(p.relativize(f).toString());
                        if (Files.isDirectory(f)) {
                            Files.createDirectories(target);
                        } else {
                            Files.copy(f, target);
                        }
                    }
                }
                entries.add(copy.toString());
            } else {
                entries.add(e);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /**
     * Every child computes on one libtorch thread: with two, some CPU kernels split work by timing under load and
     * the last bits vary between processes now and then, even with MKL_CBWR (BENCHMARKS.md "Reproducible resumes"),
     * which says nothing about the resume. This test checks what mergelab restores, so it removes that noise.
     */
    static final String ONE_THREAD = "-Dai.djl.pytorch.num_threads=1";

    private static ProcessBuilder child(String classpath, Path model, Path out) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx2g", "-Dai.djl.offline=true", ONE_THREAD,
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-cp", classpath, ResumeChild.class.getName(),
                model.toString(), out.toString());
        pb.environment().put("OPT_OUT_TRACKING", "true");
        pb.environment().remove("PYTORCH_LIBRARY_PATH");
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(new File("target/tmp/resume-child.log")));
        return pb;
    }
}
