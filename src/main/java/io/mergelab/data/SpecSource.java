package io.mergelab.data;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Where a spec came from: its file and, for YAML files, the line:column of every field, so errors read
 * {@code configs/datasets/drugs.yaml:9:14: label.transform: ...}. Spec maps inlined in another config
 * (experiment files) have no positions; their fields are named with a prefix such as {@code dataset.}.
 */
final class SpecSource {
    private final Path origin;
    private final String prefix;
    private final Map<String, Mark> marks;

    SpecSource(Path origin, String prefix, Map<String, Mark> marks) {
        this.origin = origin;
        this.prefix = prefix == null ? "" : prefix;
        this.marks = Map.copyOf(marks);
    }

    Path origin() {
        return origin;
    }

    /** Parses a YAML file into a plain map, remembering each field's position. */
    static Map.Entry<Map<String, Object>, SpecSource> parse(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new DatasetException(file + ": dataset spec not found", e);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read dataset spec: " + e.getMessage(), e);
        }
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Object loaded;
        Map<String, Mark> marks = new HashMap<>();
        try {
            loaded = new Yaml(options).load(text);
            Node root = new Yaml(options).compose(new StringReader(text));
            if (root != null) {
                marks.put("", root.getStartMark());
                collect(root, "", marks, 0);
            }
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String where = m == null ? "" : ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1);
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage().lines().findFirst().orElse("");
            String context = e.getContext() != null ? e.getContext() + ", " : "";
            throw new DatasetException(file + where + ": bad YAML: " + context + problem, e);
        } catch (YAMLException e) {
            throw new DatasetException(file + ": bad YAML: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (loaded == null) {
            throw new DatasetException(file + ": empty dataset spec (expected name:, path:, label: ...)");
        }
        if (!(loaded instanceof Map<?, ?> map)) {
            throw new DatasetException(file + ":1:1: a dataset spec must be a YAML mapping (name:, path:, label: ...), found "
                    + SpecMap.typeName(loaded));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) map;
        return Map.entry(m, new SpecSource(file, "", marks));
    }

    private static void collect(Node node, String path, Map<String, Mark> marks, int depth) {
        if (depth > 32) {
            return; // recursive anchors: positions below here are not needed
        }
        if (node instanceof MappingNode mapping) {
            for (NodeTuple t : mapping.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode key) {
                    String p = path.isEmpty() ? key.getValue() : path + "." + key.getValue();
                    marks.put(p, t.getValueNode().getStartMark());
                    marks.putIfAbsent(p + "#key", key.getStartMark());
                    collect(t.getValueNode(), p, marks, depth + 1);
                }
            }
        } else if (node instanceof SequenceNode seq) {
            for (int i = 0; i < seq.getValue().size(); i++) {
                Node item = seq.getValue().get(i);
                String p = path + "[" + i + "]";
                marks.put(p, item.getStartMark());
                collect(item, p, marks, depth + 1);
            }
        }
    }

    /** "file:line:col: prefix.field" for the field, or its nearest ancestor with a known position. */
    String locate(String field) {
        StringBuilder sb = new StringBuilder(origin == null ? "<inline dataset spec>" : origin.toString());
        Mark m = null;
        String f = field;
        while (m == null && f != null) {
            m = marks.get(f);
            int cut = Math.max(f.lastIndexOf('.'), f.lastIndexOf('['));
            f = cut > 0 ? f.substring(0, cut) : f.isEmpty() ? null : "";
        }
        if (m != null) {
            sb.append(':').append(m.getLine() + 1).append(':').append(m.getColumn() + 1);
        }
        sb.append(": ").append(prefix).append(field.isEmpty() ? "(spec)" : field);
        return sb.toString();
    }

    DatasetException error(String field, String message) {
        return new DatasetException(locate(field) + ": " + message);
    }
}
