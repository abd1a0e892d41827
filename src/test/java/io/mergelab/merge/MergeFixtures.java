package io.mergelab.merge;

import io.mergelab.model.checkpoint.CheckpointWriter;
import io.mergelab.model.checkpoint.DType;
import io.mergelab.model.checkpoint.FloatTensor;
import io.mergelab.model.checkpoint.Gpt2Config;
import io.mergelab.model.gpt2.Gpt2Factory;
import io.mergelab.model.gpt2.ModelPreset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;

/**
 * The checkpoints the merge tests use, bit-identical to tools/golden/make_merge_golden.py's: the
 * factory's tiny GPT-2 (seed 7) as a 2-label classifier, variants vK = base + perturbation(name, K), and v2bf16 (v2
 * stored as BF16).
 * Built once per JVM into target/tmp.
 */
final class MergeFixtures {
    static final long SEED = 7;
    static final List<String> LABELS = List.of("negative", "positive");
    private static final Map<String, Path> BUILT = new ConcurrentHashMap<>();

    private MergeFixtures() {
    }

    /** The perturbation of the golden script: 24-bit hash integers times 2^-27, exact in float32. */
    static float[] perturbation(String name, int k, int n) {
        CRC32 crc = new CRC32();
        crc.update(name.getBytes(StandardCharsets.UTF_8));
        long c = crc.getValue();
        float[] out = new float[n];
        long m = 0xFFFFFFFFL;
        long add = (c * 40503L + k * 2246822519L) & m;
        for (int i = 0; i < n; i++) {
            long h = ((long) i * 2654435761L + add) & m;
            h ^= h >>> 15;
            h = (h * 2246822519L) & m;
            h ^= h >>> 13;
            long v = (h >>> 8) - (1L << 23);
            out[i] = (float) v * 0x1p-27f;
        }
        return out;
    }

    static synchronized Map<String, Path> goldenModels() throws IOException {
        Path root = Path.of(System.getProperty("java.io.tmpdir"), "merge-fixtures-tiny7");
        if (BUILT.isEmpty()) {
            Files.createDirectories(root);
            Gpt2Config lm = Gpt2Factory.config(ModelPreset.TINY);
            Gpt2Config cfg = lm.withClassification(LABELS, Gpt2Config.GPT2_EOS);
            List<FloatTensor> base = new ArrayList<>(Gpt2Factory.weights(lm, SEED));
            int e = cfg.nEmbd();
            float[] score = perturbation("score.weight", 0, LABELS.size() * e);
            for (int i = 0; i < score.length; i++) {
                score[i] *= 4f;
            }
            base.add(new FloatTensor("score.weight", new long[] {LABELS.size(), e}, score));
            for (int k = 0; k <= 3; k++) {
                String name = k == 0 ? "base" : "v" + k;
                List<FloatTensor> ts = k == 0 ? base : perturb(base, k);
                Path dir = root.resolve(name);
                if (!Files.isRegularFile(dir.resolve("model.safetensors"))) {
                    CheckpointWriter.write(dir, cfg, ts, DType.F32, CheckpointWriter.DEFAULT_MAX_SHARD_BYTES,
                            tokenizerDir(), true);
                }
                BUILT.put(name, dir);
            }
            // v2 cast to bfloat16 (the writer rounds to nearest even, as torch's .to(torch.bfloat16)): mixed-dtype inputs
            Path bf16 = root.resolve("v2bf16");
            if (!Files.isRegularFile(bf16.resolve("model.safetensors"))) {
                CheckpointWriter.write(bf16, cfg, perturb(base, 2), DType.BF16, CheckpointWriter.DEFAULT_MAX_SHARD_BYTES,
                        tokenizerDir(), true);
            }
            BUILT.put("v2bf16", bf16);
        }
        return Map.copyOf(BUILT);
    }

    static List<FloatTensor> perturb(List<FloatTensor> base, int k) {
        List<FloatTensor> out = new ArrayList<>();
        for (FloatTensor t : base) {
            String file = t.name().startsWith("score") || t.name().startsWith("transformer.") ? t.name()
                    : "transformer." + t.name();
            float[] d = perturbation(file, k, t.data().length);
            float[] x = new float[d.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = t.data()[i] + d[i];
            }
            out.add(new FloatTensor(t.name(), t.shape(), x));
        }
        return out;
    }

    /** A checkpoint with other labels (for per-task heads): v1's backbone, a 3-label head. */
    static Path threeLabelModel() throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "merge-fixtures-tiny7", "v1-3labels");
        if (!Files.isRegularFile(dir.resolve("model.safetensors"))) {
            Gpt2Config lm = Gpt2Factory.config(ModelPreset.TINY);
            Gpt2Config cfg = lm.withClassification(List.of("a", "b", "c"), Gpt2Config.GPT2_EOS);
            List<FloatTensor> ts = new ArrayList<>(perturb(Gpt2Factory.weights(lm, SEED), 2));
            float[] s = perturbation("score3", 0, 3 * cfg.nEmbd());
            ts.add(new FloatTensor("score.weight", new long[] {3, cfg.nEmbd()}, s));
            CheckpointWriter.write(dir, cfg, ts, DType.F32, CheckpointWriter.DEFAULT_MAX_SHARD_BYTES, tokenizerDir(),
                    true);
        }
        return dir;
    }

    static Path tokenizerDir() {
        Path p = Path.of("data/gpt2-tokenizer");
        return Files.isDirectory(p) ? p : null;
    }

    /** Writes a recipe, replacing ${base}, ${v1}.. with the fixture paths. */
    static Path recipe(Path dir, String name, String yaml) throws IOException {
        String text = yaml;
        for (Map.Entry<String, Path> e : goldenModels().entrySet()) {
            text = text.replace("${" + e.getKey() + "}", e.getValue().toAbsolutePath().toString());
        }
        Files.createDirectories(dir);
        Path f = dir.resolve(name + ".yml");
        Files.writeString(f, text);
        return f;
    }
}
