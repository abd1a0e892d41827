package io.mergelab.merge.analysis;

import io.mergelab.merge.ModelInput;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.checkpoint.DType;
import io.mergelab.model.checkpoint.FloatTensor;
import io.mergelab.model.checkpoint.SafetensorsWriter;
import io.mergelab.model.checkpoint.TensorInfo;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The committed checkpoints of tools/golden/make_analysis_golden.py: base, ft-a, ft-b, ft-c. */
final class AnalysisFixtures {
    /** The settings the golden file was made with (also its {@code settings}). */
    static final AnalysisSettings SETTINGS = new AnalysisSettings(List.of(0.2, 0.5),
            List.of(0.01, 0.05, 0.1, 0.2, 0.5), List.of(0.1, 0.5, 0.9), 7);

    private AnalysisFixtures() {
    }

    static Path dir(String model) {
        try {
            return Path.of(AnalysisFixtures.class.getResource("/golden/analysis/models/" + model).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static ModelInput model(String name) {
        return new ModelInput("models/" + name, CheckpointDir.open(dir(name)));
    }

    static List<ModelInput> models(String... names) {
        return java.util.Arrays.stream(names).map(AnalysisFixtures::model).toList();
    }

    /** A copy of {@code model} whose tensor {@code canonical} is stored with its two dimensions swapped. */
    static Path withSwappedShape(String model, String canonical, Path out) throws IOException {
        CheckpointDir src = CheckpointDir.open(dir(model));
        List<FloatTensor> tensors = new ArrayList<>();
        for (TensorInfo t : src.tensors()) {
            long[] shape = t.shape().clone();
            if (t.name().endsWith(canonical)) {
                shape = new long[] {shape[1], shape[0]};
            }
            tensors.add(new FloatTensor(t.name(), shape, src.readFloat32(t)));
        }
        Files.createDirectories(out);
        Files.copy(src.path().resolve("config.json"), out.resolve("config.json"));
        SafetensorsWriter.write(out.resolve("model.safetensors"), tensors, DType.F32, Map.of("format", "pt"));
        return out;
    }
}
