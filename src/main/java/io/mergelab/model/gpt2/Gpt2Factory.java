package io.mergelab.model.gpt2;

import io.mergelab.model.checkpoint.CheckpointWriter;
import io.mergelab.model.checkpoint.FloatTensor;
import io.mergelab.model.checkpoint.Gpt2Config;
import io.mergelab.model.checkpoint.Gpt2TensorNames;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Randomly initialised GPT-2 checkpoints, initialised as transformers does (weights N(0, 0.02),
 * residual projections N(0, 0.02/√(2·n_layer)), biases 0, LayerNorm 1/0), reproducible from a seed.
 * This is how tests and the quickstart get a base model on a machine with no hub.
 */
public final class Gpt2Factory {
    private static final int GPT2_VOCAB = 50257;
    private static final int EOS = 50256;

    private Gpt2Factory() {}

    /** The config.json of a preset, as a GPT2LMHeadModel. */
    public static Gpt2Config config(ModelPreset preset) {
        return Gpt2Config.of(GPT2_VOCAB, preset.nPositions, preset.nEmbd, preset.nLayer, preset.nHead)
                .withArchitecture("GPT2LMHeadModel");
    }

    /** All backbone tensors of {@code config}, named as GPT2LMHeadModel stores them (lm_head is tied). */
    public static List<FloatTensor> weights(Gpt2Config config, long seed) {
        double residualStd = Gpt2Weights.INITIALIZER_RANGE / Math.sqrt(2.0 * config.nLayer());
        List<FloatTensor> out = new ArrayList<>();
        for (Map.Entry<String, long[]> e : Gpt2TensorNames.expectedShapes(config).entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            float[] data = new float[Math.toIntExact(numel(shape))];
            if (name.startsWith("ln_") || name.contains(".ln_")) {
                if (name.endsWith(".weight")) {
                    java.util.Arrays.fill(data, 1f);
                }
            } else if (name.endsWith(".weight")) {
                double std = name.endsWith("c_proj.weight") ? residualStd : Gpt2Weights.INITIALIZER_RANGE;
                new SeededNormal(seed, name).fill(data, 0.0, std);
            } // other biases stay 0
            out.add(new FloatTensor(Gpt2TensorNames.hfName(name, "GPT2LMHeadModel"), shape, data));
        }
        return out;
    }

    /** Writes a preset's checkpoint (config, weights, tokenizer files from {@code tokenizerDir}) atomically. */
    public static void writeCheckpoint(ModelPreset preset, long seed, Path out, Path tokenizerDir, boolean overwrite)
            throws IOException {
        Gpt2Config config = config(preset);
        CheckpointWriter.write(out, config, weights(config, seed), tokenizerDir, overwrite);
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    static int eosTokenId() {
        return EOS;
    }
}
