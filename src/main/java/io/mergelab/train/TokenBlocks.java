package io.mergelab.train;

import io.mergelab.model.gpt2.Gpt2Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A corpus as fixed-length blocks of token ids, as transformers' run_clm {@code group_texts} makes them:
 * every document's tokens followed by end-of-text, all concatenated, cut into blocks of {@code blockSize};
 * the last partial block is dropped. No padding, so every position is a training target.
 */
public record TokenBlocks(long[][] blocks) {

    public static TokenBlocks pack(List<String> documents, Gpt2Tokenizer tokenizer, int blockSize, int eos) {
        if (blockSize < 2) {
            throw new IllegalArgumentException("max_length (the block size) must be at least 2, got " + blockSize);
        }
        List<long[]> out = new ArrayList<>();
        long[] block = new long[blockSize];
        int fill = 0;
        for (String doc : documents) {
            long[] ids = tokenizer.encode(doc);
            for (int i = 0; i <= ids.length; i++) {
                block[fill++] = i < ids.length ? ids[i] : eos;
                if (fill == blockSize) {
                    out.add(block);
                    block = new long[blockSize];
                    fill = 0;
                }
            }
        }
        return new TokenBlocks(out.toArray(long[][]::new));
    }

    /** The first {@code n} blocks (all of them when there are fewer). */
    public TokenBlocks first(int n) {
        return n >= blocks.length ? this : new TokenBlocks(java.util.Arrays.copyOf(blocks, n));
    }

    public int size() {
        return blocks.length;
    }

    public long tokens() {
        return blocks.length == 0 ? 0 : (long) blocks.length * blocks[0].length;
    }

    /** The rows {@code idx} of this corpus as one [B, T] batch. */
    long[][] rows(int[] idx) {
        return Arrays.stream(idx).mapToObj(i -> blocks[i]).toArray(long[][]::new);
    }
}
