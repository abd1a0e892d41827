package io.mergelab.merge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mergelab.model.checkpoint.CheckpointFormatException;
import io.mergelab.model.checkpoint.FloatTensor;
import io.mergelab.model.checkpoint.Gpt2TensorNames;
import io.mergelab.model.checkpoint.SafetensorsFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * One task's head kept beside a merged backbone ({@link HeadMode#PER_TASK}): {@code heads/<name>/} with
 * {@code score.safetensors} and {@code head.json} (source model, labels), as {@link MergeRunner} writes them.
 *
 * @param name        the folder name: the source model's folder name, {@code -2}, {@code -3}... when repeated
 * @param sourceModel the model reference in the recipe that the head was taken from
 * @param sourcePath  where that model was when merged (from the merge manifest), or null when not recorded
 */
public record MergedHead(String name, Path dir, String sourceModel, Path sourcePath, List<String> labels) {
    public static final String DIR = "heads";
    private static final ObjectMapper JSON = new ObjectMapper();

    public MergedHead {
        labels = List.copyOf(labels);
    }

    /** True when {@code merged} keeps per-task heads. */
    public static boolean present(Path merged) {
        return Files.isDirectory(merged.resolve(DIR));
    }

    /** The heads of a merged checkpoint in the merge's input order (empty when it has none). */
    public static List<MergedHead> listIn(Path merged) throws IOException {
        Path root = merged.resolve(DIR);
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        JsonNode inputs = manifest(merged).path("inputs");
        List<String> inputOrder = new ArrayList<>();
        inputs.fieldNames().forEachRemaining(inputOrder::add);
        List<MergedHead> heads = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            for (Path d : s.filter(Files::isDirectory).toList()) {
                heads.add(read(d, inputs));
            }
        }
        // the merge wrote them in its input order; the manifest keeps that order, names break ties
        heads.sort(Comparator.<MergedHead>comparingInt(h -> {
            int i = inputOrder.indexOf(h.sourceModel());
            return i < 0 ? Integer.MAX_VALUE : i;
        }).thenComparing(MergedHead::name));
        return List.copyOf(heads);
    }

    /** The head's weights, under the canonical name {@code score.weight}. */
    public FloatTensor score() {
        Path file = dir.resolve("score.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            FloatTensor t = f.readFloatTensor(Gpt2TensorNames.SCORE);
            if (t.shape().length != 2 || t.shape()[0] != labels.size()) {
                throw new CheckpointFormatException(file, Gpt2TensorNames.SCORE, "expected " + labels.size()
                        + " rows (one per label in head.json), found shape " + java.util.Arrays.toString(t.shape()));
            }
            return t;
        }
    }

    private static MergedHead read(Path d, JsonNode inputs) throws IOException {
        Path file = d.resolve("head.json");
        if (!Files.isRegularFile(file)) {
            throw new CheckpointFormatException(file, "missing; every folder under " + DIR + "/ needs its head.json");
        }
        JsonNode n = JSON.readTree(file.toFile());
        JsonNode labels = n.get("labels");
        if (labels == null || !labels.isArray() || labels.isEmpty()) {
            throw CheckpointFormatException.field(file, "labels", "missing or empty; expected the head's label names");
        }
        List<String> names = new ArrayList<>();
        labels.forEach(l -> names.add(l.asText()));
        String source = n.path("source_model").asText("");
        JsonNode path = inputs.path(source).path("path");
        return new MergedHead(d.getFileName().toString(), d, source, path.isTextual() ? Path.of(path.asText()) : null,
                names);
    }

    private static JsonNode manifest(Path merged) {
        Path file = merged.resolve(MergeOutputs.MANIFEST);
        if (!Files.isRegularFile(file)) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
