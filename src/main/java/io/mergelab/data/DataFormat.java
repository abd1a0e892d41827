package io.mergelab.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The file formats a dataset spec may name in {@code format:}. */
public enum DataFormat {
    /** Tab-separated with a header row; fields may be quoted and span lines (Drugs.com files). */
    TSV("tsv"),
    /** Comma-separated (or {@code delimiter:}) with a header row; RFC 4180 quoting. */
    CSV("csv"),
    /** One JSON object per line; columns are the objects' keys. */
    JSONL("jsonl"),
    /** {@code text<TAB>label} per line, no header, no quoting (UCI sentiment sentences); columns text and label. */
    TEXT_LABEL("text-label");

    private final String yamlName;

    DataFormat(String yamlName) {
        this.yamlName = yamlName;
    }

    public String yamlName() {
        return yamlName;
    }

    /** Parses the spec value; null when unknown. */
    static DataFormat parse(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (DataFormat f : values()) {
            if (f.yamlName.equals(v)) {
                return f;
            }
        }
        return v.equals("json-lines") || v.equals("ndjson") ? JSONL : null;
    }

    static String choices() {
        return Arrays.stream(values()).map(DataFormat::yamlName).collect(Collectors.joining(" | "));
    }

    /** The format a file name implies, or null. */
    static DataFormat fromExtension(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".tsv")) {
            return TSV;
        }
        if (n.endsWith(".csv")) {
            return CSV;
        }
        if (n.endsWith(".jsonl") || n.endsWith(".ndjson")) {
            return JSONL;
        }
        if (n.endsWith(".txt")) {
            return TEXT_LABEL;
        }
        return null;
    }
}
