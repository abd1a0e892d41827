package io.mergelab.train;

import io.mergelab.model.checkpoint.SafetensorsFile;
import io.mergelab.model.checkpoint.TensorInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.fail;

/** Bit-for-bit comparison of two model.safetensors files whose failure says which tensors differ and by how much. */
final class WeightsComparison {
    private WeightsComparison() {}

    static void assertBitIdentical(Path expected, Path actual, String what) throws IOException {
        if (java.util.Arrays.equals(Files.readAllBytes(expected), Files.readAllBytes(actual))) {
            return;
        }
        List<String> differing = new ArrayList<>();
        try (SafetensorsFile a = SafetensorsFile.open(expected); SafetensorsFile b = SafetensorsFile.open(actual)) {
            for (TensorInfo t : a.tensors()) {
                float[] x = a.readFloat32(t);
                float[] y = b.readFloat32(b.tensor(t.name()).orElseThrow());
                int n = 0;
                double max = 0;
                for (int i = 0; i < x.length; i++) {
                    if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
                        n++;
                        max = Math.max(max, Math.abs((double) x[i] - y[i]));
                    }
                }
                if (n > 0) {
                    differing.add(String.format(Locale.ROOT, "%s: %d of %d values, max |diff| %.3g", t.name(), n,
                            x.length, max));
                }
            }
        }
        fail(what + ": " + differing.size() + " tensors differ (" + String.join("; ",
                differing.subList(0, Math.min(4, differing.size()))) + (differing.size() > 4 ? "; ..." : "") + ")");
    }
}
