package io.mergelab.merge;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** TorchReductions adds in torch's order: the last bits equal torch 2.15's (AVX2, one thread). */
class TorchReductionsTest {
    /** x[i] = ((7919 i) mod 1000 - 500) / 997 in float32. */
    private static float[] x(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (((long) i * 7919 % 1000) - 500) / 997f;
        }
        return x;
    }

    // torch: t.reshape(1, -1).sum(dim=1), linalg.vector_norm(.., dim=1), and torch.norm(.., dim=-1) of t.to(bfloat16)
    // and of t.to(float16); the float32 sum of 2^20 elements is -525.17555 exactly, so the order shows
    @ParameterizedTest
    @CsvSource({
        "7, 0.80140424, 0.80619156, 0.8046875, 0.80615234",
        "100003, -49.892677, 91.56474, 91.5, 91.5625",
        "1048576, -525.1754, 296.4839, 296.0, 296.5",
    })
    void matchesTorch(int n, float sum, float norm, float bf16Norm, float f16Norm) {
        float[] x = x(n);
        assertEquals(sum, TorchReductions.sum(x, 0, n), "sum");
        assertEquals(norm, TorchReductions.norm(Precision.FLOAT32, x, 0, n), "float32 norm");
        float[] b = x.clone();
        Precision.BFLOAT16.round(b);
        assertEquals(bf16Norm, TorchReductions.norm(Precision.BFLOAT16, b, 0, n), "bfloat16 norm");
        float[] h = x.clone();
        Precision.FLOAT16.round(h);
        assertEquals(f16Norm, TorchReductions.norm(Precision.FLOAT16, h, 0, n), "float16 norm");
    }

    /**
     * torch.softmax(t, dim=-1) of t = x'.to(dtype).reshape(rows, cols), x'[i] = ((7919 i) mod 100003 - 50001) / 12500
     * in float32, summarised as sum((i + 1) · out[i]) in float64: one output a unit in the last place off changes it.
     * SLEEF's exp decides a few of the 2.1M elements (a correctly rounded exp gets them wrong).
     */
    @ParameterizedTest
    @CsvSource({
        "BFLOAT16, 32768, 64, 34359762871.84636",
        "BFLOAT16, 1, 1000, 505.0780855566263",
        "FLOAT16, 32768, 64, 34359769501.40162",
        "FLOAT16, 1, 1000, 505.21480590105057",
    })
    void softmaxMatchesTorch(Precision p, int rows, int cols, double want) {
        int n = rows * cols;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = p.round((float) ((long) i * 7919 % 100003 - 50001) / 12500f);
        }
        float[] out = new float[cols];
        double got = 0;
        for (int r = 0; r < n; r += cols) {
            TorchReductions.softmax(p, x, r, r + cols, out);
            for (int j = 0; j < cols; j++) {
                got += (double) out[j] * (r + j + 1);
            }
        }
        assertEquals(want, got);
    }
}
