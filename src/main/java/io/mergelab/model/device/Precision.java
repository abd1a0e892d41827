package io.mergelab.model.device;

import java.util.Locale;

/**
 * The numeric precision a user asked for. fp16/bf16 mean mixed precision (autocast); DJL 0.32's Java API has no
 * autocast, so today every run computes in fp32 and {@link ComputeRequest} says so once instead of failing.
 */
public enum Precision {
    FP32, FP16, BF16;

    public static Precision parse(String text) {
        String s = text == null ? "fp32" : text.strip().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "fp32", "float32", "32", "" -> FP32;
            case "fp16", "float16", "half", "16" -> FP16;
            case "bf16", "bfloat16" -> BF16;
            default -> throw new IllegalArgumentException("precision '" + text + "' is not one of fp32, fp16, bf16");
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
