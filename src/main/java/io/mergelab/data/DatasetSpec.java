package io.mergelab.data;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable dataset spec, parsed from YAML ({@link #load}) or from a map inlined in an experiment config
 * ({@link #fromMap}). Fields:
 * <pre>
 * name: drugs                      # default: the file name without .yaml
 * description: ...                 # optional, free text
 * path: ../../data/x.tsv           # relative: to the spec's directory, else the current directory, else mergelab home
 * format: tsv                      # tsv | csv | jsonl | text-label (default: from the extension)
 * header: true                     # tsv/csv: first record names the columns (default true)
 * columns: [a, b]                  # tsv/csv without header: column names (default column1, column2, ...)
 * delimiter: ";"                   # csv only (default ",")
 * encoding: UTF-8
 * text: review                     # a column, or a template "{condition}: {review}" (default: text)
 * clean: [html_entities, strip_quotes, whitespace]   # applied to each column value going into the text
 * label: {column: rating, transform: "rating - 1", names: [...]}   # or map:, bins:, or identity; see LabelMapping
 * filters: [{column: condition, not_empty: true}]    # see RowFilter
 * max_samples: 1000                # seeded, stratified cap on the examples taken from each file
 * split: {validation: 0.1, test: 0.2, stratify: true, seed: 7, files: {train: a.csv, test: b.csv}}
 * </pre>
 */
public final class DatasetSpec {
    private static final Set<String> KEYS = Set.of("name", "description", "path", "format", "header", "columns",
            "delimiter", "encoding", "text", "clean", "label", "filters", "max_samples", "split");

    private final SpecSource source;
    private final String name;
    private final String description;
    private final String path;
    private final DataFormat format;
    private final boolean header;
    private final List<String> columns;
    private final char delimiter;
    private final Charset encoding;
    private final TextTemplate text;
    private final List<TextCleaner> clean;
    private final LabelMapping label;
    private final List<RowFilter> filters;
    private final Integer maxSamples;
    private final SplitPlan split;

    private DatasetSpec(SpecMap m, String defaultName) {
        this.source = m.source();
        m.checkKeys(KEYS);
        this.description = m.string("description");
        this.path = m.string("path");
        this.split = SplitPlan.parse(m);
        if (path == null && split.trainFile() == null) {
            throw m.error("path", "missing; expected the data file (or split.files.train)");
        }
        if (path != null && split.trainFile() != null) {
            throw m.error("path", "give either path or split.files.train, not both");
        }
        String n = m.string("name");
        if (n == null) {
            // a spec file is named after itself; an inlined spec after its data file
            n = defaultName != null ? defaultName
                    : Path.of(dataPathText().strip()).getFileName().toString().replaceFirst("\\.[^.]*$", "");
        }
        if (n.isBlank()) {
            throw m.error("name", "empty; expected a short dataset name such as yelp");
        }
        this.name = n.strip();
        String f = m.string("format");
        if (f != null) {
            this.format = DataFormat.parse(f);
            if (format == null) {
                throw m.error("format", "unknown format '" + f + "'; expected " + DataFormat.choices());
            }
        } else {
            this.format = DataFormat.fromExtension(Path.of(dataPathText()));
            if (format == null) {
                throw m.error("format", "missing and not implied by the file name '" + dataPathText() + "'; expected "
                        + DataFormat.choices());
            }
        }
        Boolean h = m.bool("header");
        this.header = h == null || h;
        List<String> cols = m.stringList("columns");
        this.columns = cols == null ? List.of() : List.copyOf(cols);
        if (!columns.isEmpty() && header) {
            throw m.error("columns", "only for files without a header row; add header: false");
        }
        if ((h != null || cols != null) && (format == DataFormat.JSONL || format == DataFormat.TEXT_LABEL)) {
            throw m.error(h != null ? "header" : "columns", "only for tsv/csv files (format is " + format.yamlName() + ")");
        }
        String d = m.string("delimiter");
        if (d != null) {
            if (format != DataFormat.CSV) {
                throw m.error("delimiter", "only for format csv (tsv is always tab-separated)");
            }
            String dd = d.equals("\\t") ? "\t" : d;
            if (dd.length() != 1) {
                throw m.error("delimiter", "expected one character, got \"" + d + "\"");
            }
            this.delimiter = dd.charAt(0);
        } else {
            this.delimiter = ',';
        }
        String enc = m.string("encoding");
        try {
            this.encoding = enc == null ? StandardCharsets.UTF_8 : Charset.forName(enc);
        } catch (RuntimeException e) {
            throw m.error("encoding", "unknown character set '" + enc + "'");
        }
        String t = m.string("text");
        try {
            this.text = TextTemplate.parse(t == null ? "text" : t);
        } catch (IllegalArgumentException e) {
            throw m.error("text", e.getMessage());
        }
        List<String> cl = m.stringList("clean");
        List<TextCleaner> steps = new ArrayList<>();
        if (cl != null) {
            for (int i = 0; i < cl.size(); i++) {
                TextCleaner c = TextCleaner.parse(cl.get(i));
                if (c == null) {
                    throw source.error(m.field("clean") + "[" + i + "]", "unknown step '" + cl.get(i) + "'; expected "
                            + TextCleaner.choices());
                }
                steps.add(c);
            }
        }
        this.clean = List.copyOf(steps);
        SpecMap l = m.map("label");
        if (l == null) {
            throw m.error("label", "missing; expected e.g. label: {column: label, names: [negative, positive]}");
        }
        this.label = LabelMapping.parse(l, format == DataFormat.TEXT_LABEL || format == DataFormat.JSONL ? "label" : null);
        this.filters = List.copyOf(RowFilter.parseAll(m));
        this.maxSamples = m.integer("max_samples");
        if (maxSamples != null && maxSamples < 1) {
            throw m.error("max_samples", "must be at least 1, got " + maxSamples);
        }
    }

    /**
     * Loads a spec file. Errors name the file, line:column and field, e.g.
     * {@code configs/datasets/drugs.yaml:9:14: label.transform: cannot parse ...}.
     */
    public static DatasetSpec load(Path yamlFile) {
        Map.Entry<Map<String, Object>, SpecSource> parsed = SpecSource.parse(yamlFile);
        String stem = yamlFile.getFileName().toString().replaceFirst("\\.(ya?ml)$", "");
        return new DatasetSpec(new SpecMap(parsed.getKey(), "", parsed.getValue()), stem);
    }

    /**
     * The spec inlined under {@code key} (e.g. {@code dataset}) of another YAML file, such as an experiment config.
     * Errors keep that file's line:column and name fields from the key, e.g. {@code exp.yaml:7:12: dataset.label.names}.
     */
    public static DatasetSpec loadSection(Path yamlFile, String key) {
        Map.Entry<Map<String, Object>, SpecSource> parsed = SpecSource.parse(yamlFile);
        SpecMap root = new SpecMap(parsed.getKey(), "", parsed.getValue());
        SpecMap section = root.map(key);
        if (section == null) {
            throw root.error(key, "missing; expected the dataset spec (name:, path:, label: ...)");
        }
        return new DatasetSpec(section, null);
    }

    /**
     * A spec from a map (a {@code dataset:} block inlined in an experiment config). Relative paths resolve against
     * {@code origin}'s directory (origin may be null: the current directory); errors name origin and the field.
     */
    public static DatasetSpec fromMap(Map<String, Object> map, Path origin) {
        return fromMap(map, origin, "");
    }

    /** As {@link #fromMap(Map, Path)}, naming fields in errors with a prefix such as {@code "dataset."}. */
    public static DatasetSpec fromMap(Map<String, Object> map, Path origin, String fieldPrefix) {
        if (map == null) {
            throw new DatasetException((origin == null ? "<inline dataset spec>" : origin) + ": " + fieldPrefix
                    + ": missing dataset spec");
        }
        return new DatasetSpec(new SpecMap(SpecMap.stringKeys(map), "", new SpecSource(origin, fieldPrefix, Map.of())), null);
    }

    public String name() {
        return name;
    }

    /** The label space, index = label id. */
    public List<String> labels() {
        return label.names();
    }

    public int numLabels() {
        return label.names().size();
    }

    public String description() {
        return description;
    }

    /** The file this spec was read from (or the config it was inlined in); may be null. */
    public Path origin() {
        return source.origin();
    }

    public DataFormat format() {
        return format;
    }

    public TextTemplate text() {
        return text;
    }

    public List<TextCleaner> clean() {
        return clean;
    }

    public LabelMapping label() {
        return label;
    }

    public List<RowFilter> filters() {
        return filters;
    }

    /** Cap on the examples taken from each file, or null. */
    public Integer maxSamples() {
        return maxSamples;
    }

    public SplitPlan split() {
        return split;
    }

    /** The training pool file as written in the spec ({@code path:} or {@code split.files.train}). */
    public String dataPathText() {
        return path != null ? path : split.trainFile();
    }

    /** The resolved training pool file. */
    public Path dataFile() {
        return resolve(dataPathText(), path != null ? "path" : "split.files.train");
    }

    /** The resolved validation file, or null when validation is a fraction of the pool. */
    public Path validationFile() {
        return split.validationFile() == null ? null : resolve(split.validationFile(), "split.files.validation");
    }

    /** The resolved test file, or null when test is a fraction of the pool. */
    public Path testFile() {
        return split.testFile() == null ? null : resolve(split.testFile(), "split.files.test");
    }

    TableReader.Options readOptions(Path file) {
        return new TableReader.Options(format, header, columns, delimiter, encoding);
    }

    SpecSource source() {
        return source;
    }

    /** One line naming where a field was written, e.g. {@code configs/datasets/drugs.yaml:9:10: label.column}. */
    public String locate(String field) {
        return source.locate(field);
    }

    /**
     * Resolves a relative data path: first against the spec file's directory, then the current directory, then
     * mergelab home ({@code -Dmergelab.home}); a missing file is an error listing every place tried.
     */
    Path resolve(String written, String field) {
        Path p = Path.of(written.strip());
        if (p.isAbsolute()) {
            if (!Files.exists(p)) {
                throw source.error(field, "data file not found: " + p);
            }
            return p;
        }
        Set<Path> tried = new LinkedHashSet<>();
        if (source.origin() != null) {
            Path dir = source.origin().toAbsolutePath().getParent();
            if (dir != null) {
                tried.add(dir.resolve(p).normalize());
            }
        }
        tried.add(Path.of("").toAbsolutePath().resolve(p).normalize());
        String home = System.getProperty("mergelab.home");
        if (home != null) {
            tried.add(Path.of(home).toAbsolutePath().resolve(p).normalize());
        }
        for (Path c : tried) {
            if (Files.exists(c)) {
                return c;
            }
        }
        throw source.error(field, "data file not found: " + written + " (looked in " + tried + ")");
    }

    @Override
    public String toString() {
        return name + " (" + format.yamlName() + " " + dataPathText() + "; text " + text + "; " + numLabels()
                + " labels " + labels() + " from column '" + label.column() + "' by " + label.rule() + ")";
    }
}
