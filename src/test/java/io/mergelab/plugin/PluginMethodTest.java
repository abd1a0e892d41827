package io.mergelab.plugin;

import io.mergelab.model.checkpoint.CheckpointDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The method registry is the one list of merge methods: a method added by a plug-in jar on the classpath works in a
 * study's short form ({@code merges: [{method: test_mean, ...}]}, its parameter checked), in {@code merge --help},
 * with no other change. Runs {@code mergelab} in a child JVM whose classpath has the jar (a services file naming
 * {@link TestMeanMethod}); this JVM's registry never sees it.
 */
class PluginMethodTest {
    @TempDir
    Path tmp;

    @Test
    void aPluginMethodRunsInAStudysShortForm() throws Exception {
        Path jar = tmp.resolve("test-mean-plugin.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("META-INF/services/io.mergelab.merge.MergeMethod"));
            out.write((TestMeanMethod.class.getName() + "\n").getBytes());
            out.closeEntry();
        }
        assertFalse(io.mergelab.merge.MethodRegistry.load().names().contains("test_mean"), "not in this JVM");

        Path config = Files.writeString(tmp.resolve("plugin.yaml"), """
                name: plugin
                seed: 3
                base_model: {preset: tiny}
                datasets: [yelp]
                variants:
                  - {dataset: yelp, count: 2, split: disjoint, name: "yelp_{i}"}
                training_args: {max_steps: 2, per_device_train_batch_size: 8, max_length: 32, eval_strategy: "no"}
                merges:
                  - {name: mean, method: test_mean, models: [yelp_0, yelp_1], parameters: {scale: 1.0}}
                evaluate: {splits: [test], baselines: {variants: true, ensemble: false, stacker: false}}
                report: {plots: false, analysis: false}
                tracking: {enabled: false}
                """);
        Path outputs = tmp.resolve("outputs");
        String log = child(jar, "run", config.toString(), "--outputs", outputs.toString());
        Path study = outputs.resolve("plugin");
        String csv = Files.readString(study.resolve("report/results.csv"));
        assertTrue(csv.lines().anyMatch(l -> l.startsWith("mean,merge,test_mean,yelp,test,")), csv + "\n" + log);

        // the merged weights are the mean of the two fine-tunes (scale 1)
        Path merged = modelOf(study, "merge");
        List<Path> tuned = new ArrayList<>();
        try (var dirs = Files.list(study)) {
            dirs.filter(d -> d.getFileName().toString().startsWith("finetune-")).sorted()
                    .forEach(d -> tuned.add(d.resolve("model")));
        }
        assertEquals(2, tuned.size());
        float[] a = CheckpointDir.open(tuned.get(0)).readCanonical("h.0.mlp.c_fc.weight").data();
        float[] b = CheckpointDir.open(tuned.get(1)).readCanonical("h.0.mlp.c_fc.weight").data();
        float[] m = CheckpointDir.open(merged).readCanonical("h.0.mlp.c_fc.weight").data();
        float[] want = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            want[i] = a[i] * 0.5f + b[i] * 0.5f;
        }
        assertArrayEquals(want, m, 1e-6f);

        // its parameter is checked like any method's, before any work; and merge --help lists it
        Path bad = Files.writeString(tmp.resolve("bad.yaml"), Files.readString(config).replace("scale: 1.0", "scael: 1"));
        String refused = child(jar, 1, "validate", bad.toString());
        assertTrue(refused.contains("scael") && refused.contains("scale"), refused);
        assertTrue(child(jar, "merge", "--help").contains("test_mean"));
    }

    private static Path modelOf(Path study, String kind) throws IOException {
        try (var dirs = Files.list(study)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith(kind + "-")).findFirst().orElseThrow()
                    .resolve("model");
        }
    }

    private static String child(Path jar, String... args) throws Exception {
        return child(jar, 0, args);
    }

    private static String child(Path jar, int exit, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path") + java.io.File.pathSeparator + jar,
                "io.mergelab.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OPT_OUT_TRACKING", "true");
        Process p = pb.start();
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes());
        }
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "mergelab " + String.join(" ", args) + " did not finish");
        assertEquals(exit, p.exitValue(), "mergelab " + String.join(" ", args) + ":\n" + out);
        return out;
    }
}
