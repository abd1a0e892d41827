package io.mergelab.model.device;

import java.util.Locale;

/**
 * The numeric precision a user asked for. fp16/bf16 mean mixed precision (autocast), which DJL's Java API does not
 * expose (checked in 0.32 and 0.35): every run computes in fp32 and {@link ComputeRequest} says so in a note.
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
