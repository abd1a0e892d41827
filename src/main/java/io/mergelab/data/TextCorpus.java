package io.mergelab.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Unlabelled text for language-model pre-training: one document per line of a text file, or per row of a
 * TSV/CSV file's text column. {@code .txt} lines keep only what precedes the first tab, so the UCI sentiment
 * files ({@code sentence<TAB>label}) give their sentences; table cells get the Drugs.com clean-up (outer
 * quotes, HTML entities). A directory contributes its .txt/.tsv/.csv files, recursively, in name order.
 *
 * @param documents non-blank texts in file order
 * @param files     the files read, in order (for cache keys and logs)
 */
public record TextCorpus(List<String> documents, List<Path> files) {
    /** Column names tried, in order, when a table's text column is not given. */
    public static final List<String> TEXT_COLUMNS = List.of("text", "review", "sentence", "content", "body");

    public TextCorpus {
        documents = List.copyOf(documents);
        files = List.copyOf(files);
    }

    /** Every file behind {@code sources} (files as given, directories expanded), in reading order. */
    public static List<Path> files(List<Path> sources) {
        List<Path> out = new ArrayList<>();
        for (Path src : sources) {
            if (Files.isDirectory(src)) {
                try (Stream<Path> s = Files.walk(src)) {
                    s.filter(Files::isRegularFile).filter(TextCorpus::isCorpusFile).sorted().forEach(out::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(src + ": cannot list: " + e.getMessage(), e);
                }
            } else if (Files.isRegularFile(src)) {
                out.add(src);
            } else {
                throw new DatasetException(src + ": corpus file or directory not found");
            }
        }
        return out;
    }

    /** Reads {@code sources}; {@code column} names the text column of TSV/CSV files (null: see TEXT_COLUMNS). */
    public static TextCorpus read(List<Path> sources, String column) {
        List<Path> files = files(sources);
        List<String> docs = new ArrayList<>();
        for (Path f : files) {
            String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".tsv") || name.endsWith(".csv")) {
                docs.addAll(tableColumn(f, name.endsWith(".tsv") ? DataFormat.TSV : DataFormat.CSV, column));
            } else {
                docs.addAll(lines(f));
            }
        }
        if (docs.isEmpty()) {
            throw new DatasetException(sources + ": no text found (expected .txt lines or a TSV/CSV text column)");
        }
        return new TextCorpus(docs, files);
    }

    private static boolean isCorpusFile(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".txt") || n.endsWith(".tsv") || n.endsWith(".csv");
    }

    private static List<String> lines(Path f) {
        try {
            List<String> out = new ArrayList<>();
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                int tab = line.indexOf('\t');
                String text = (tab >= 0 ? line.substring(0, tab) : line).strip();
                if (!text.isEmpty()) {
                    out.add(text);
                }
            }
            return out;
        } catch (CharacterCodingException e) {
            throw new DatasetException(f + ": not valid UTF-8 text", e);
        } catch (IOException e) {
            throw new DatasetException(f + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static List<String> tableColumn(Path f, DataFormat format, String column) {
        RawTable t = TableReader.read(f, TableReader.Options.of(format));
        int idx = -1;
        if (column != null) {
            idx = t.columnIndex(column);
            if (idx < 0) {
                throw new DatasetException(f + ": no column '" + column + "' (columns: " + t.columnList() + ")");
            }
        } else {
            for (String c : TEXT_COLUMNS) {
                if ((idx = t.columnIndex(c)) >= 0) {
                    break;
                }
            }
            if (idx < 0) {
                throw new DatasetException(f + ": no text column found (tried " + TEXT_COLUMNS + ", columns: "
                        + t.columnList() + "); name one with the corpus column option");
            }
        }
        List<String> out = new ArrayList<>();
        for (RawTable.Row r : t.rows()) {
            String v = TextCleaner.HTML_ENTITIES.apply(TextCleaner.STRIP_QUOTES.apply(r.values().get(idx))).strip();
            if (!v.isEmpty()) {
                out.add(v);
            }
        }
        return out;
    }
}
