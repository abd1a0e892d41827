package io.mergelab.model.gpt2;

import java.util.Locale;

/** Sizes of the GPT-2 checkpoints the factory makes. All use GPT-2's real 50 257-token vocabulary. */
public enum ModelPreset {
    /** For tests and the quickstart: seconds per epoch on a laptop CPU. */
    TINY(2, 128, 2, 512),
    /** Big enough that merging behaves like merging a real model, still CPU-trainable. */
    SMALL(4, 256, 4, 512),
    /** The shape of openai-community/gpt2 (124M parameters). */
    GPT2(12, 768, 12, 1024);

    public final int nLayer;
    public final int nEmbd;
    public final int nHead;
    public final int nPositions;

    ModelPreset(int nLayer, int nEmbd, int nHead, int nPositions) {
        this.nLayer = nLayer;
        this.nEmbd = nEmbd;
        this.nHead = nHead;
        this.nPositions = nPositions;
    }

    public static ModelPreset parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown model preset '" + name + "' (expected tiny, small or gpt2)");
        }
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
