package io.mergelab.yaml;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads YAML into {@link Node}s that keep file, line and column; syntax errors become {@link ConfigException}s. */
public final class YamlLoader {
    private YamlLoader() {
    }

    public static Node load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(Mark.of(file.toString()), "no such file");
        } catch (java.nio.charset.CharacterCodingException e) {
            throw undecodable(file);
        } catch (IOException e) {
            throw new ConfigException(Mark.of(file.toString()), "cannot read: " + e.getMessage());
        }
        if (text.indexOf('\0') >= 0) {
            throw undecodable(file);
        }
        return parse(text, file.toString());
    }

    /** What is wrong with a file that is not UTF-8 text, at its first offending byte's line and column. */
    private static ConfigException undecodable(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return new ConfigException(Mark.of(file.toString()), "cannot read: " + e.getMessage());
        }
        int bad = -1;
        for (int i = 0; i < bytes.length && bad < 0; i++) {
            bad = bytes[i] == 0 ? i : -1;
        }
        boolean binary = bad >= 0;
        if (!binary) {
            java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
            java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length + 1);
            java.nio.charset.CoderResult r = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT).decode(in, out, true);
            bad = r.isError() ? in.position() : 0;
        }
        int line = 1;
        int column = 1;
        for (int i = 0; i < bad; i++) {
            if (bytes[i] == '\n') {
                line++;
                column = 1;
            } else if ((bytes[i] & 0xC0) != 0x80) { // count characters, not UTF-8 continuation bytes
                column++;
            }
        }
        String what = binary ? "a binary file (NUL byte), not YAML text: is this the study config?"
                : String.format("not UTF-8 text: byte 0x%02X cannot start or continue a character; save the file "
                        + "as UTF-8", bytes[bad] & 0xFF);
        return new ConfigException(new Mark(file.toString(), line, column), what);
    }

    public static Node parse(String text, String source) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(true); // we report duplicates ourselves, with the key's position
        options.setMaxAliasesForCollections(50);
        org.yaml.snakeyaml.nodes.Node root;
        try (Reader r = new StringReader(text)) {
            root = new Yaml(new SafeConstructor(options)).compose(r);
        } catch (MarkedYAMLException e) {
            org.yaml.snakeyaml.error.Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
            throw new ConfigException(mark(source, m), "invalid YAML: " + oneLine(problem));
        } catch (YAMLException e) {
            throw new ConfigException(Mark.of(source), "invalid YAML: " + oneLine(e.getMessage()));
        } catch (IOException e) {
            throw new ConfigException(Mark.of(source), "cannot read: " + e.getMessage());
        }
        if (root == null) {
            return new Node.MapNode(Map.of(), new Mark(source, 1, 1));
        }
        return convert(root, source);
    }

    private static Node convert(org.yaml.snakeyaml.nodes.Node n, String source) {
        Mark mark = mark(source, n.getStartMark());
        if (n instanceof ScalarNode s) {
            return new Node.Scalar(s.getValue(), typeOf(s.getTag()), mark);
        }
        if (n instanceof SequenceNode seq) {
            List<Node> items = new ArrayList<>();
            for (org.yaml.snakeyaml.nodes.Node child : seq.getValue()) {
                items.add(convert(child, source));
            }
            return new Node.ListNode(items, mark);
        }
        MappingNode map = (MappingNode) n;
        Map<String, Node.Entry> entries = new LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) {
            Mark keyMark = mark(source, t.getKeyNode().getStartMark());
            if (!(t.getKeyNode() instanceof ScalarNode key)) {
                throw new ConfigException(keyMark, "expected a plain key, got a " + t.getKeyNode().getNodeId());
            }
            if (entries.containsKey(key.getValue())) {
                throw new ConfigException(keyMark, "duplicate key '" + key.getValue() + "' (first at line "
                        + entries.get(key.getValue()).keyMark().line() + ")");
            }
            entries.put(key.getValue(), new Node.Entry(key.getValue(), keyMark, convert(t.getValueNode(), source)));
        }
        return new Node.MapNode(entries, mark);
    }

    private static Node.ScalarType typeOf(Tag tag) {
        if (Tag.INT.equals(tag)) {
            return Node.ScalarType.INT;
        }
        if (Tag.FLOAT.equals(tag)) {
            return Node.ScalarType.FLOAT;
        }
        if (Tag.BOOL.equals(tag)) {
            return Node.ScalarType.BOOL;
        }
        if (Tag.NULL.equals(tag)) {
            return Node.ScalarType.NULL;
        }
        return Node.ScalarType.STR;
    }

    static Mark mark(String source, org.yaml.snakeyaml.error.Mark m) {
        return m == null ? Mark.of(source) : new Mark(source, m.getLine() + 1, m.getColumn() + 1);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").strip();
    }
}
