package io.mergelab.merge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The files written beside the weights: mergekit_config.yml, README.md model card, merge-manifest.json. */
public final class MergeOutputs {
    public static final String MANIFEST = "merge-manifest.json";
    public static final String RECIPE_COPY = "mergekit_config.yml";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private MergeOutputs() {
    }

    /** sha256 of every file of every input model (config, weights, tokenizer), by model ref then file name. */
    static Map<String, Map<String, String>> hashInputs(MergePlan plan) throws IOException {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (ModelInput m : plan.models()) {
            out.put(m.ref(), hashDir(m.dir().path()));
        }
        if (!out.containsKey(plan.donor().ref())) {
            out.put(plan.donor().ref(), hashDir(plan.donor().dir().path()));
        }
        return out;
    }

    /** @param knownHashes sha256 of files already hashed while written, by path relative to {@code dir} */
    static void writeSidecars(MergePlan plan, Path dir, Map<String, Map<String, String>> inputHashes,
            Map<String, String> knownHashes, boolean modelCard) throws IOException {
        Files.writeString(dir.resolve(RECIPE_COPY), plan.recipe().mergekitYaml(), StandardCharsets.UTF_8);
        if (modelCard) {
            Files.writeString(dir.resolve("README.md"), readme(plan), StandardCharsets.UTF_8);
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("merge_method", plan.method().name());
        root.put("seed", plan.seed());
        root.put("head_mode", plan.headMode().name().toLowerCase(java.util.Locale.ROOT));
        root.put("donor", plan.donor().ref());
        ObjectNode inputs = root.putObject("inputs");
        for (Map.Entry<String, Map<String, String>> e : inputHashes.entrySet()) {
            ObjectNode m = inputs.putObject(e.getKey());
            plan.models().stream().filter(x -> x.ref().equals(e.getKey())).findFirst()
                    .or(() -> java.util.Optional.of(plan.donor()))
                    .ifPresent(x -> m.put("path", x.dir().path().toAbsolutePath().toString()));
            ObjectNode files = m.putObject("sha256");
            e.getValue().forEach(files::put);
        }
        ObjectNode outputs = root.putObject("outputs");
        hashDir(dir, knownHashes).forEach(outputs::put);
        Files.writeString(dir.resolve(MANIFEST), JSON.writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
    }

    static void writeHeadJson(Path file, MergePlan.TaskHead h) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("source_model", h.model().ref());
        n.put("num_labels", h.labels().size());
        ArrayNode labels = n.putArray("labels");
        h.labels().forEach(labels::add);
        Files.writeString(file, JSON.writeValueAsString(n) + "\n", StandardCharsets.UTF_8);
    }

    static String readme(MergePlan plan) {
        StringBuilder sb = new StringBuilder();
        sb.append("---\ntags:\n- mergekit\n- merge\n- mergelab\nlibrary_name: transformers\n---\n");
        sb.append("# ").append(plan.recipe().name()).append("\n\n");
        sb.append("This is a merge of pre-trained language models created with mergelab (mergekit-compatible).\n\n");
        sb.append("## Merge Details\n\n### Merge Method\n\n");
        sb.append("This model was merged using the `").append(plan.method().name()).append("` method: ")
                .append(plan.method().description());
        if (plan.recipe().baseModel().isPresent()) {
            sb.append(" `").append(plan.recipe().baseModel().get()).append("` was used as the base.");
        }
        sb.append("\n\n### Models Merged\n\n");
        for (ModelInput m : plan.models()) {
            sb.append("* `").append(m.ref()).append("` (").append(m.dir().path().toAbsolutePath()).append(")\n");
        }
        sb.append("\nConfig and tokenizer come from `").append(plan.donor().ref()).append("`; random seed ")
                .append(plan.seed()).append(".\n\n### Notes\n\n");
        for (String note : plan.notes()) {
            sb.append("* ").append(note).append('\n');
        }
        sb.append("\n### Configuration\n\nThe following YAML configuration was used to produce this model:\n\n```yaml\n")
                .append(plan.recipe().mergekitYaml().strip()).append("\n```\n\nSee `").append(MANIFEST)
                .append("` for the sha256 of every input and output file.\n");
        return sb.toString();
    }

    static Map<String, String> hashDir(Path dir) throws IOException {
        return hashDir(dir, Map.of());
    }

    static Map<String, String> hashDir(Path dir, Map<String, String> knownHashes) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                String rel = dir.relativize(p).toString().replace('\\', '/');
                if (rel.equals(MANIFEST) || rel.startsWith(".")) {
                    continue;
                }
                String known = knownHashes.get(rel);
                out.put(rel, known != null ? known : sha256(p));
            }
        }
        return out;
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Model refs in a stable order, for messages. */
    static List<String> refs(List<ModelInput> models) {
        return models.stream().map(ModelInput::ref).toList();
    }
}
