package io.mergelab.model.gpt2;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * GPT-2's byte-level BPE from a checkpoint's {@code tokenizer.json} (DJL's binding of HF tokenizers).
 * Padding and truncation are done here, not by the native tokenizer, so they follow transformers'
 * defaults for GPT-2 exactly: right padding with {@code padId}, right truncation, no special tokens added.
 */
public final class Gpt2Tokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;
    private final int padId;

    private Gpt2Tokenizer(HuggingFaceTokenizer tokenizer, int padId) {
        this.tokenizer = tokenizer;
        this.padId = padId;
    }

    /** Loads {@code dir/tokenizer.json}; never reaches the hub. */
    public static Gpt2Tokenizer open(Path dir, int padId) {
        Path json = Files.isDirectory(dir) ? dir.resolve("tokenizer.json") : dir;
        if (!Files.isRegularFile(json)) {
            throw new IllegalArgumentException(json + ": tokenizer.json not found (mergelab needs the fast-tokenizer file)");
        }
        try {
            return new Gpt2Tokenizer(HuggingFaceTokenizer.newInstance(json,
                    Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false")), padId);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(json + ": cannot load tokenizer: " + e.getMessage(), e);
        }
    }

    public int padId() {
        return padId;
    }

    public long[] encode(String text) {
        Encoding e = tokenizer.encode(text, false, false);
        return e.getIds();
    }

    public String decode(long[] ids) {
        return tokenizer.decode(ids, false);
    }

    /**
     * Encodes a batch: each row truncated to {@code maxLength} tokens, then padded on the right to the
     * longest row (dynamic padding) or, with {@code padToMaxLength}, to {@code maxLength}.
     */
    public TokenBatch batch(List<String> texts, int maxLength, boolean padToMaxLength) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("max_length must be at least 1, got " + maxLength);
        }
        long[][] rows = new long[texts.size()][];
        int longest = 1; // an empty text still yields one (padding) position
        for (int i = 0; i < rows.length; i++) {
            long[] ids = encode(texts.get(i));
            rows[i] = ids.length > maxLength ? Arrays.copyOf(ids, maxLength) : ids;
            longest = Math.max(longest, rows[i].length);
        }
        int width = padToMaxLength ? maxLength : longest;
        long[][] ids = new long[rows.length][width];
        long[][] mask = new long[rows.length][width];
        for (int i = 0; i < rows.length; i++) {
            Arrays.fill(ids[i], padId);
            System.arraycopy(rows[i], 0, ids[i], 0, rows[i].length);
            Arrays.fill(mask[i], 0, rows[i].length, 1L);
        }
        return new TokenBatch(ids, mask);
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    /** Token ids and attention mask, both [rows][width]. */
    public record TokenBatch(long[][] ids, long[][] attentionMask) {
        public int rows() {
            return ids.length;
        }

        public int width() {
            return ids.length == 0 ? 0 : ids[0].length;
        }
    }
}
