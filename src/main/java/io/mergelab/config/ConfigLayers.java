package io.mergelab.config;

import io.mergelab.yaml.ConfigException;

import io.mergelab.yaml.YamlLoader;

import io.mergelab.yaml.Mark;

import io.mergelab.yaml.Node;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the effective config tree of a study: {@code extends:} presets (deep-merged, the extending file
 * wins), then {@code --set a.b=c} overrides, then {@code ${VAR}} / {@code ${VAR:-default}} substitution.
 * Every value keeps the mark of the file (or override) that set it.
 */
public final class ConfigLayers {
    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    private final Map<String, String> env;
    private final Path presetsDir;

    /**
     * @param env        variables for {@code ${VAR}} (normally {@code System.getenv()})
     * @param presetsDir where {@code extends: presets/x.yaml} is looked up when not found next to the file
     */
    public ConfigLayers(Map<String, String> env, Path presetsDir) {
        this.env = Map.copyOf(env);
        this.presetsDir = presetsDir;
    }

    public Node.MapNode load(Path file, List<String> overrides) {
        Node.MapNode tree = loadWithExtends(file.toAbsolutePath().normalize(), new ArrayList<>(), null);
        for (String o : overrides) {
            tree = applyOverride(tree, o);
        }
        return (Node.MapNode) substitute(tree);
    }

    private Node.MapNode loadWithExtends(Path file, List<Path> chain, Mark from) {
        if (chain.contains(file)) {
            throw new ConfigException(from, "extends cycle: " + chainText(chain, file));
        }
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(from == null ? Mark.of(file.toString()) : from,
                    from == null ? "no such file" : "extends: no such file " + file);
        }
        Node root = YamlLoader.load(file);
        if (!(root instanceof Node.MapNode map)) {
            throw new ConfigException(root.mark(), "expected a mapping of study settings at the top level, got "
                    + root.kind());
        }
        Node.Entry ext = map.entries().get("extends");
        if (ext == null) {
            return map;
        }
        List<Node> parents = ext.value() instanceof Node.ListNode l ? l.items() : List.of(ext.value());
        chain.add(file);
        Node.MapNode merged = null;
        for (Node p : parents) {
            if (!(p instanceof Node.Scalar s) || s.type() != Node.ScalarType.STR) {
                throw new ConfigException(p.mark(), "extends: expected a file path (or a list of them), got " + p.kind());
            }
            Path parent = resolvePreset(file, substituteText(s.text(), s.mark()));
            Node.MapNode loaded = loadWithExtends(parent, new ArrayList<>(chain), s.mark());
            merged = merged == null ? loaded : (Node.MapNode) merge(merged, loaded);
        }
        chain.remove(file);
        Map<String, Node.Entry> own = new LinkedHashMap<>(map.entries());
        own.remove("extends");
        return (Node.MapNode) merge(merged, new Node.MapNode(own, map.mark()));
    }

    private Path resolvePreset(Path file, String ref) {
        Path p = Path.of(ref);
        if (p.isAbsolute()) {
            return p.normalize();
        }
        Path sibling = file.getParent().resolve(p).normalize();
        if (Files.isRegularFile(sibling) || presetsDir == null) {
            return sibling;
        }
        Path preset = presetsDir.resolve(p).normalize();
        return Files.isRegularFile(preset) ? preset : sibling;
    }

    private static String chainText(List<Path> chain, Path again) {
        StringBuilder sb = new StringBuilder();
        for (Path p : chain) {
            sb.append(p.getFileName()).append(" -> ");
        }
        return sb.append(again.getFileName()).toString();
    }

    /** Deep merge: mappings merge key by key; anything else in {@code top} replaces {@code bottom}. */
    static Node merge(Node bottom, Node top) {
        if (bottom instanceof Node.MapNode b && top instanceof Node.MapNode t) {
            Map<String, Node.Entry> out = new LinkedHashMap<>(b.entries());
            for (Node.Entry e : t.entries().values()) {
                Node.Entry old = out.get(e.key());
                out.put(e.key(), old == null ? e : new Node.Entry(e.key(), e.keyMark(), merge(old.value(), e.value())));
            }
            return new Node.MapNode(out, t.mark());
        }
        return top;
    }

    /** {@code a.b.c=value}; numeric path parts index lists; the value is parsed as a YAML scalar or flow value. */
    Node.MapNode applyOverride(Node.MapNode tree, String override) {
        Mark mark = Mark.of("--set " + override);
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException(mark, "expected KEY.PATH=VALUE, e.g. --set training_args.learning_rate=1e-4");
        }
        String[] path = override.substring(0, eq).strip().split("\\.");
        for (String part : path) {
            if (part.isEmpty()) {
                throw new ConfigException(mark, "empty part in key path '" + override.substring(0, eq) + "'");
            }
        }
        Node value = relabel(YamlLoader.parse(override.substring(eq + 1), "--set " + override), mark);
        if (value instanceof Node.MapNode m && m.entries().isEmpty() && override.substring(eq + 1).isBlank()) {
            value = new Node.Scalar("", Node.ScalarType.NULL, mark);
        }
        return (Node.MapNode) set(tree, path, 0, value, mark);
    }

    private static Node set(Node at, String[] path, int i, Node value, Mark mark) {
        if (i == path.length) {
            return value;
        }
        String key = path[i];
        if (at instanceof Node.ListNode list) {
            int idx;
            try {
                idx = Integer.parseInt(key);
            } catch (NumberFormatException e) {
                throw new ConfigException(mark, "'" + String.join(".", java.util.Arrays.copyOf(path, i))
                        + "' is a list: expected a number index, got '" + key + "'");
            }
            if (idx < 0 || idx >= list.items().size()) {
                throw new ConfigException(mark, "index " + idx + " is outside the list '"
                        + String.join(".", java.util.Arrays.copyOf(path, i)) + "' of " + list.items().size() + " items");
            }
            List<Node> items = new ArrayList<>(list.items());
            items.set(idx, set(items.get(idx), path, i + 1, value, mark));
            return new Node.ListNode(items, list.mark());
        }
        Node.MapNode map = at instanceof Node.MapNode m ? m
                : at instanceof Node.Scalar s && s.isNull() ? new Node.MapNode(Map.of(), mark) : null;
        if (map == null) {
            throw new ConfigException(mark, "'" + String.join(".", java.util.Arrays.copyOf(path, i))
                    + "' is " + at.kind() + ", not a mapping: cannot set '" + key + "' in it");
        }
        Map<String, Node.Entry> out = new LinkedHashMap<>(map.entries());
        Node.Entry old = out.get(key);
        Node child = old == null ? new Node.MapNode(Map.of(), mark) : old.value();
        out.put(key, new Node.Entry(key, mark, set(child, path, i + 1, value, mark)));
        return new Node.MapNode(out, map.mark());
    }

    private static Node relabel(Node n, Mark mark) {
        if (n instanceof Node.Scalar s) {
            return new Node.Scalar(s.text(), s.type(), mark);
        }
        if (n instanceof Node.ListNode l) {
            return new Node.ListNode(l.items().stream().map(c -> relabel(c, mark)).toList(), mark);
        }
        Node.MapNode m = (Node.MapNode) n;
        Map<String, Node.Entry> out = new LinkedHashMap<>();
        m.entries().forEach((k, e) -> out.put(k, new Node.Entry(k, mark, relabel(e.value(), mark))));
        return new Node.MapNode(out, mark);
    }

    private Node substitute(Node n) {
        if (n instanceof Node.Scalar s) {
            if (s.type() != Node.ScalarType.STR || !s.text().contains("${")) {
                return s;
            }
            return new Node.Scalar(substituteText(s.text(), s.mark()), Node.ScalarType.STR, s.mark());
        }
        if (n instanceof Node.ListNode l) {
            return new Node.ListNode(l.items().stream().map(this::substitute).toList(), l.mark());
        }
        Node.MapNode m = (Node.MapNode) n;
        Map<String, Node.Entry> out = new LinkedHashMap<>();
        m.entries().forEach((k, e) -> out.put(k, new Node.Entry(k, e.keyMark(), substitute(e.value()))));
        return new Node.MapNode(out, m.mark());
    }

    String substituteText(String text, Mark mark) {
        Matcher m = VAR.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = env.get(m.group(1));
            if (v == null) {
                v = m.group(2);
            }
            if (v == null) {
                throw new ConfigException(mark, "environment variable " + m.group(1)
                        + " is not set (write ${" + m.group(1) + ":-default} for a fallback)");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
