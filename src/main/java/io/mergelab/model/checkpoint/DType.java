package io.mergelab.model.checkpoint;

import java.nio.file.Path;

/** Safetensors element types; constant names are the exact strings used in safetensors headers. */
public enum DType {
    F64(8, true),
    F32(4, true),
    F16(2, true),
    BF16(2, true),
    I64(8, false),
    I32(4, false),
    I16(2, false),
    I8(1, false),
    U8(1, false),
    BOOL(1, false);

    private final int byteSize;
    private final boolean floating;

    DType(int byteSize, boolean floating) {
        this.byteSize = byteSize;
        this.floating = floating;
    }

    public int byteSize() {
        return byteSize;
    }

    public boolean isFloating() {
        return floating;
    }

    /** Parses a header dtype string; unknown ones (e.g. F8_E4M3) are a format error naming file and tensor. */
    public static DType parse(String s, Path file, String tensor) {
        if (s != null) {
            for (DType d : values()) {
                if (d.name().equals(s)) {
                    return d;
                }
            }
        }
        throw new CheckpointFormatException(file, tensor,
                "unsupported dtype '" + s + "' (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
    }
}
