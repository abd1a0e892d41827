package io.mergelab.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.checkpoint.CheckpointFormatException;
import io.mergelab.model.checkpoint.FloatTensor;
import io.mergelab.model.checkpoint.Gpt2TensorNames;
import io.mergelab.model.checkpoint.TensorInfo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Moves weights between a checkpoint on disk and a {@link Gpt2Module}'s DJL parameters, by HF name. */
final class Gpt2Weights {
    private Gpt2Weights() {}

    /** Standard deviation transformers uses to initialise new heads ({@code initializer_range}). */
    static final double INITIALIZER_RANGE = 0.02;

    /**
     * Sets every parameter of {@code model} from {@code dir}. A parameter listed in {@code newHeads}
     * (HF name → shape) that the checkpoint lacks is drawn from N(0, 0.02) seeded by {@code seed},
     * as transformers initialises a new classification head.
     */
    static void load(Gpt2Module model, CheckpointDir dir, NDManager manager, Map<String, long[]> newHeads, long seed) {
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            String hfName = e.getKey();
            String canonical = Gpt2TensorNames.canonical(hfName);
            Optional<TensorInfo> info = dir.tensorByCanonicalName(canonical);
            if (info.isPresent()) {
                set(e.getValue(), manager, dir.readFloat32(info.get()), info.get().shape());
            } else if (newHeads.containsKey(hfName)) {
                initialise(e.getValue(), manager, hfName, newHeads.get(hfName), seed);
            } else {
                throw new CheckpointFormatException(dir.path(), canonical,
                        "tensor required by GPT-2 is missing from the checkpoint");
            }
        }
    }

    /**
     * Sets every parameter of {@code model} from tensors held in memory, keyed by canonical name (no
     * {@code transformer.} prefix); a merge search evaluates candidates this way without writing them.
     */
    static void load(Gpt2Module model, Map<String, FloatTensor> byCanonicalName, NDManager manager) {
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            String canonical = Gpt2TensorNames.canonical(e.getKey());
            FloatTensor t = byCanonicalName.get(canonical);
            if (t == null) {
                throw new IllegalArgumentException("in-memory weights lack tensor '" + canonical + "'");
            }
            long[] expected = e.getValue().isInitialized() ? e.getValue().getArray().getShape().getShape() : null;
            if (expected != null && !Arrays.equals(expected, t.shape())) {
                throw new IllegalArgumentException("tensor '" + canonical + "' has shape " + t.shapeString()
                        + " but the model expects " + Arrays.toString(expected));
            }
            set(e.getValue(), manager, t.data(), t.shape());
        }
    }

    static void initialise(Parameter p, NDManager manager, String name, long[] shape, long seed) {
        float[] data = new float[Math.toIntExact(Arrays.stream(shape).reduce(1, (a, b) -> a * b))];
        new SeededNormal(seed, name).fill(data, 0.0, INITIALIZER_RANGE);
        set(p, manager, data, shape);
    }

    private static void set(Parameter p, NDManager manager, float[] data, long[] shape) {
        if (p.isInitialized()) {
            TorchOwned.replace(p.getArray(), data); // reload into an already-populated model
        } else {
            p.setArray(TorchOwned.of(manager, data, new Shape(shape)));
        }
    }

    /** The model's weights as named float tensors, in model order, named as transformers expects. */
    static List<FloatTensor> export(Gpt2Module model) {
        List<FloatTensor> out = new ArrayList<>();
        model.namedParameters().forEach((name, p) -> {
            NDArray a = p.getArray();
            out.add(new FloatTensor(name, a.getShape().getShape(), a.toFloatArray()));
        });
        return out;
    }
}
