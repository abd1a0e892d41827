package io.mergelab.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

import java.util.Locale;

/** The activation functions transformers' GPT-2 accepts in {@code activation_function}. */
enum Gpt2Activation {
    /** tanh approximation, as transformers' NewGELUActivation: GPT-2's own. */
    GELU_NEW,
    /** erf-based GELU. */
    GELU,
    RELU,
    SILU,
    TANH;

    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    static Gpt2Activation parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> GELU_NEW;
            case "gelu" -> GELU;
            case "relu" -> RELU;
            case "silu", "swish" -> SILU;
            case "tanh" -> TANH;
            default -> throw new IllegalArgumentException("unsupported activation_function '" + name
                    + "' (supported: gelu_new, gelu_pytorch_tanh, gelu, relu, silu, tanh)");
        };
    }

    NDArray apply(NDArray x) {
        return switch (this) {
            // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), written out as transformers does
            // (numbers as torch-owned scalars: see TorchScalar)
            case GELU_NEW -> x.mul(TorchScalar.of(x, 0.5f)).mul(x.add(x.pow(TorchScalar.of(x, 3f))
                    .mul(TorchScalar.of(x, 0.044715f))).mul(TorchScalar.of(x, (float) SQRT_2_OVER_PI)).tanh()
                    .add(TorchScalar.of(x, 1f)));
            case GELU -> Activation.gelu(x);
            case RELU -> Activation.relu(x);
            case SILU -> x.mul(Activation.sigmoid(x));
            case TANH -> x.tanh();
        };
    }
}
