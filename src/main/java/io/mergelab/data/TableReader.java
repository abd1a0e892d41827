package io.mergelab.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads TSV/CSV (commons-csv, quoted multi-line fields), JSONL (Jackson) and text-label files into a {@link RawTable}. */
public final class TableReader {

    /**
     * How to read a file.
     *
     * @param format    file format
     * @param header    whether the first TSV/CSV record names the columns
     * @param columns   column names for TSV/CSV files without a header (empty: column1, column2, ...)
     * @param delimiter field separator for CSV (TSV is always a tab)
     * @param encoding  character set; malformed bytes are an error, never silently replaced
     */
    public record Options(DataFormat format, boolean header, List<String> columns, char delimiter, Charset encoding) {
        public Options {
            columns = List.copyOf(columns);
        }

        public static Options of(DataFormat format) {
            return new Options(format, true, List.of(), ',', java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private TableReader() {}

    public static RawTable read(Path file, Options options) {
        if (!Files.isRegularFile(file)) {
            throw new DatasetException(file + ": data file not found"
                    + (Files.isDirectory(file) ? " (it is a directory)" : ""));
        }
        try (BufferedReader in = reader(file, options.encoding())) {
            return switch (options.format()) {
                case TSV -> delimited(file, in, options, '\t');
                case CSV -> delimited(file, in, options, options.delimiter());
                case JSONL -> jsonLines(file, in);
                case TEXT_LABEL -> textLabel(file, in);
            };
        } catch (CharacterCodingException e) {
            throw new DatasetException(file + ": not valid " + options.encoding() + " text (set encoding: in the spec)", e);
        } catch (NoSuchFileException e) {
            throw new DatasetException(file + ": data file not found", e);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof CharacterCodingException) {
                throw new DatasetException(file + ": not valid " + options.encoding() + " text (set encoding: in the spec)", e);
            }
            throw new DatasetException(file + ": cannot read: " + e.getCause().getMessage(), e);
        } catch (IllegalStateException e) {
            // commons-csv reports malformed quoting as IllegalStateException/UncheckedIOException
            throw new DatasetException(file + ": malformed " + options.format().yamlName() + ": " + e.getMessage(), e);
        }
    }

    private static BufferedReader reader(Path file, Charset cs) throws IOException {
        return new BufferedReader(new InputStreamReader(Files.newInputStream(file), cs.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)));
    }

    private static RawTable delimited(Path file, BufferedReader in, Options options, char delimiter) throws IOException {
        CSVFormat format = CSVFormat.DEFAULT.builder()
                .setDelimiter(delimiter)
                .setQuote('"')
                .setRecordSeparator("\n")
                .setIgnoreEmptyLines(true)
                .get();
        List<String> columns = null;
        List<RawTable.Row> rows = new ArrayList<>();
        try (CSVParser parser = CSVParser.builder().setReader(in).setFormat(format).get()) {
            Iterator<CSVRecord> it = parser.iterator();
            long prevEnd = 0;
            long record = 0;
            while (it.hasNext()) {
                CSVRecord r = it.next();
                long start = prevEnd + 1;
                prevEnd = parser.getCurrentLineNumber();
                List<String> values = Arrays.asList(r.values());
                if (columns == null) {
                    if (options.header()) {
                        columns = headerNames(file, values);
                        continue;
                    }
                    columns = options.columns().isEmpty() ? defaultNames(values.size()) : options.columns();
                }
                record++;
                if (values.size() != columns.size()) {
                    throw new DatasetException(file + ": record " + record + " (line " + start + ") has "
                            + values.size() + " fields, the header has " + columns.size() + " " + columns
                            + (delimiter == '\t' ? "" : " (wrong delimiter? set delimiter: in the spec)"));
                }
                rows.add(new RawTable.Row(record, start, List.copyOf(values)));
            }
        }
        if (columns == null) {
            throw new DatasetException(file + ": empty file (no header and no rows)");
        }
        return new RawTable(file, columns, rows);
    }

    /** Header names as written; an unnamed column (the Drugs.com row id) becomes column1, column2, ... by position. */
    private static List<String> headerNames(Path file, List<String> raw) {
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < raw.size(); i++) {
            String n = raw.get(i).strip();
            if (i == 0 && n.startsWith("\uFEFF")) {
                n = n.substring(1).strip();
            }
            if (n.isEmpty()) {
                n = "column" + (i + 1);
            }
            if (!seen.add(n)) {
                throw new DatasetException(file + ": line 1: header names column '" + n + "' twice");
            }
            names.add(n);
        }
        return List.copyOf(names);
    }

    private static List<String> defaultNames(int n) {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            names.add("column" + i);
        }
        return List.copyOf(names);
    }

    private static RawTable jsonLines(Path file, BufferedReader in) throws IOException {
        List<Map<String, String>> objects = new ArrayList<>();
        List<Long> lines = new ArrayList<>();
        LinkedHashMap<String, Boolean> columns = new LinkedHashMap<>();
        String line;
        long lineNo = 0;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (IOException e) {
                throw new DatasetException(file + ": line " + lineNo + ": not valid JSON: "
                        + e.getMessage().lines().findFirst().orElse(""), e);
            }
            if (node == null || !node.isObject()) {
                throw new DatasetException(file + ": line " + lineNo + ": expected a JSON object per line");
            }
            Map<String, String> values = new LinkedHashMap<>();
            node.properties().forEach(f -> {
                columns.putIfAbsent(f.getKey(), Boolean.TRUE);
                JsonNode v = f.getValue();
                values.put(f.getKey(), v.isNull() ? "" : v.isValueNode() ? v.asText() : v.toString());
            });
            objects.add(values);
            lines.add(lineNo);
        }
        List<String> names = List.copyOf(columns.keySet());
        List<RawTable.Row> rows = new ArrayList<>(objects.size());
        for (int i = 0; i < objects.size(); i++) {
            Map<String, String> o = objects.get(i);
            List<String> values = new ArrayList<>(names.size());
            for (String n : names) {
                values.add(o.getOrDefault(n, ""));
            }
            rows.add(new RawTable.Row(i + 1, lines.get(i), List.copyOf(values)));
        }
        return new RawTable(file, names, rows);
    }

    /** {@code text<TAB>label}: split at the last tab, so a text may itself contain tabs; quotes are literal. */
    private static RawTable textLabel(Path file, BufferedReader in) throws IOException {
        List<RawTable.Row> rows = new ArrayList<>();
        String line;
        long lineNo = 0;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (lineNo == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.isBlank()) {
                continue;
            }
            int tab = line.lastIndexOf('\t');
            if (tab < 0) {
                throw new DatasetException(file + ": line " + lineNo
                        + ": expected text<TAB>label (format: text-label), found no tab");
            }
            rows.add(new RawTable.Row(rows.size() + 1, lineNo,
                    List.of(line.substring(0, tab), line.substring(tab + 1).strip())));
        }
        return new RawTable(file, List.of("text", "label"), rows);
    }
}
