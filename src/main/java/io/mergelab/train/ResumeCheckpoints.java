package io.mergelab.train;

import io.mergelab.model.checkpoint.DType;
import io.mergelab.model.checkpoint.FloatTensor;
import io.mergelab.model.checkpoint.SafetensorsFile;
import io.mergelab.model.checkpoint.SafetensorsWriter;
import io.mergelab.model.checkpoint.TensorInfo;
import io.mergelab.model.gpt2.Gpt2Checkpoints;
import io.mergelab.model.gpt2.Gpt2Checkpoints.LoadedClassifier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Resume checkpoints under {@code OUT/checkpoints/checkpoint-STEP/}: {@code model/} (an HF model dir),
 * {@code optimizer.safetensors} (AdamW moments) and {@code trainer_state.json}. Each is built in a temp dir
 * and renamed into place, so a kill at any moment leaves either the previous or the new checkpoint.
 */
final class ResumeCheckpoints {
    static final String DIR = "checkpoints";
    static final String PREFIX = "checkpoint-";
    static final String STATE = "trainer_state.json";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String MODEL = "model";

    private ResumeCheckpoints() {}

    /** The newest complete checkpoint, if any. */
    static Optional<Path> latest(Path out) {
        Path dir = out.resolve(DIR);
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(PREFIX))
                    .filter(p -> Files.isRegularFile(p.resolve(STATE)))
                    .max(Comparator.comparingInt(ResumeCheckpoints::stepOf));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int stepOf(Path p) {
        try {
            return Integer.parseInt(p.getFileName().toString().substring(PREFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Writes a model's HF directory into a given (not yet existing) path. */
    interface ModelSaver {
        void save(Path dir) throws IOException;
    }

    static Path save(Path out, LoadedClassifier model, AdamW optimizer, TrainingState state) throws IOException {
        return save(out, dir -> Gpt2Checkpoints.saveClassifier(model, null, dir, false), optimizer, state);
    }

    /** Writes {@code checkpoint-<step>} and removes older ones; returns the new checkpoint's folder. */
    static Path save(Path out, ModelSaver model, AdamW optimizer, TrainingState state) throws IOException {
        Path dir = out.resolve(DIR);
        Files.createDirectories(dir);
        Path target = dir.resolve(PREFIX + state.step);
        Path tmp = dir.resolve(".tmp-" + PREFIX + state.step + "-" + ProcessHandle.current().pid());
        deleteRecursively(tmp);
        Files.createDirectories(tmp);
        try {
            model.save(tmp.resolve(MODEL));
            List<FloatTensor> moments = new ArrayList<>();
            Map<String, float[]> st = optimizer.state();
            Map<String, long[]> shapes = new LinkedHashMap<>();
            for (TrainableParameter p : optimizer.parameters()) {
                shapes.put(p.name(), p.array().getShape().getShape());
            }
            st.forEach((k, v) -> moments.add(new FloatTensor(k, shapes.get(k.substring(k.indexOf('.') + 1)), v)));
            SafetensorsWriter.write(tmp.resolve(OPTIMIZER), moments, DType.F32,
                    Map.of("step", String.valueOf(optimizer.stepCount())));
            Files.writeString(tmp.resolve(STATE), TrainingState.MAPPER.writerWithDefaultPrettyPrinter()
                    .writeValueAsString(state.toJson()));
            deleteRecursively(target); // the same step re-run after a resume: identical content
            Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteRecursively(tmp);
        }
        // older checkpoints are no longer needed once the new one is in place
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                if (!p.equals(target)) {
                    deleteRecursively(p);
                }
            }
        }
        return target;
    }

    static TrainingState readState(Path checkpoint) throws IOException {
        return TrainingState.fromJson(TrainingState.MAPPER.readTree(checkpoint.resolve(STATE).toFile()));
    }

    static Map<String, float[]> readOptimizer(Path checkpoint) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(checkpoint.resolve(OPTIMIZER))) {
            for (TensorInfo t : f.tensors()) {
                out.put(t.name(), f.readFloat32(t));
            }
        }
        return out;
    }

    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
