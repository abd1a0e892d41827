package io.mergelab.model.checkpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Deterministic tiny GPT-2 weights for tests. */
final class TinyGpt2 {
    private TinyGpt2() {
    }

    static Gpt2Config config() {
        return Gpt2Config.of(11, 8, 4, 2, 2);
    }

    /** Backbone tensors under canonical names, plus the given heads (canonical name -> shape). */
    static List<FloatTensor> tensors(Gpt2Config c, Map<String, long[]> heads) {
        List<FloatTensor> out = new ArrayList<>();
        int k = 0;
        for (Map.Entry<String, long[]> e : Gpt2TensorNames.expectedShapes(c).entrySet()) {
            out.add(filled(e.getKey(), e.getValue(), k++));
        }
        for (Map.Entry<String, long[]> e : heads.entrySet()) {
            out.add(filled(e.getKey(), e.getValue(), k++));
        }
        return out;
    }

    static FloatTensor filled(String name, long[] shape, int seed) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] data = new float[(int) n];
        for (int i = 0; i < data.length; i++) {
            data[i] = seed + i / 1000f;
        }
        return new FloatTensor(name, shape, data);
    }
}
