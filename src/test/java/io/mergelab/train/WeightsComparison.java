package io.mergelab.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mergelab.model.checkpoint.SafetensorsFile;
import io.mergelab.model.checkpoint.TensorInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Bit-for-bit comparison of two fine-tuned output folders (their model.safetensors); a failure says which tensors
 * differ, by how much, and the first logged step whose loss or grad norm differs (where the runs parted).
 */
final class WeightsComparison {
    private WeightsComparison() {}

    static void assertBitIdentical(Path expectedDir, Path actualDir, String what) throws IOException {
        Path expected = expectedDir.resolve("model.safetensors");
        Path actual = actualDir.resolve("model.safetensors");
        if (Arrays.equals(Files.readAllBytes(expected), Files.readAllBytes(actual))) {
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
        fail(what + ": " + firstDifferingStep(expectedDir, actualDir) + "; " + differing.size() + " tensors differ ("
                + String.join("; ", differing.subList(0, Math.min(4, differing.size())))
                + (differing.size() > 4 ? "; ..." : "") + ")");
    }

    private static String firstDifferingStep(Path expectedDir, Path actualDir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode a = json.readTree(expectedDir.resolve(FineTuner.TRAINING_STATE).toFile()).get("log_history");
        JsonNode b = json.readTree(actualDir.resolve(FineTuner.TRAINING_STATE).toFile()).get("log_history");
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            for (String k : List.of("loss", "grad_norm", "eval_loss")) {
                if (a.get(i).has(k) && !a.get(i).get(k).equals(b.get(i).get(k))) {
                    return "first difference at step " + a.get(i).get("step") + " (" + k + " " + a.get(i).get(k)
                            + " vs " + b.get(i).get(k) + ")";
                }
            }
        }
        return "losses and grad norms agree at every logged step";
    }
}
