package io.mergelab.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * Per-dataset statistics as in the seed study's "Descriptive Statistics" table: split sizes, class balance,
 * and mean / median / std of words and (when a token counter is given) tokens per text.
 */
public final class DatasetStats {

    /**
     * Statistics of one split (or of all examples, split name "all").
     *
     * @param tokens null when no token counter was given
     */
    public record SplitStats(String split, int size, List<Integer> classCounts, LengthStats words, LengthStats tokens,
            int emptyTexts) {
        public SplitStats {
            classCounts = List.copyOf(classCounts);
        }
    }

    private final String name;
    private final List<String> labels;
    private final List<SplitStats> splits; // train, validation, test, all

    private DatasetStats(String name, List<String> labels, List<SplitStats> splits) {
        this.name = name;
        this.labels = List.copyOf(labels);
        this.splits = List.copyOf(splits);
    }

    /** Computes the statistics; {@code tokenCounter} (text → token count) may be null: then words only. */
    public static DatasetStats of(DatasetSplits s, Function<String, Integer> tokenCounter) {
        Objects.requireNonNull(s, "splits");
        List<SplitStats> out = new ArrayList<>();
        out.add(split("train", s.train(), s.numLabels(), tokenCounter));
        out.add(split("validation", s.validation(), s.numLabels(), tokenCounter));
        out.add(split("test", s.test(), s.numLabels(), tokenCounter));
        out.add(split("all", s.all(), s.numLabels(), tokenCounter));
        return new DatasetStats(s.name(), s.labels(), out);
    }

    private static SplitStats split(String name, List<Example> examples, int numLabels, Function<String, Integer> tokens) {
        int[] words = new int[examples.size()];
        int[] toks = tokens == null ? null : new int[examples.size()];
        for (int i = 0; i < examples.size(); i++) {
            String text = examples.get(i).text();
            words[i] = LengthStats.words(text);
            if (toks != null) {
                toks[i] = tokens.apply(text);
            }
        }
        List<Integer> counts = new ArrayList<>();
        for (int c : Datasets.classCounts(examples, numLabels)) {
            counts.add(c);
        }
        return new SplitStats(name, examples.size(), counts, LengthStats.of(words), toks == null ? null : LengthStats.of(toks),
                (int) examples.stream().filter(e -> e.text().isBlank()).count());
    }

    public String name() {
        return name;
    }

    public List<String> labels() {
        return labels;
    }

    /** train, validation, test and all, in that order. */
    public List<SplitStats> splits() {
        return splits;
    }

    public SplitStats split(String split) {
        return splits.stream().filter(x -> x.split().equals(split)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown split '" + split + "'"));
    }

    /** All examples together: what the seed study's table reports per dataset. */
    public SplitStats all() {
        return split("all");
    }

    public boolean hasTokens() {
        return all().tokens() != null;
    }

    /** This dataset in detail: one row per split with its class counts (and shares) and length statistics. */
    public String toMarkdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("### ").append(name).append("\n\n");
        sb.append("| Split | Examples |");
        for (String l : labels) {
            sb.append(' ').append(escape(l)).append(" |");
        }
        sb.append(" Mean words | Median words | Std words |");
        if (hasTokens()) {
            sb.append(" Mean tokens | Median tokens | Std tokens |");
        }
        sb.append("\n| --- | ---: |");
        sb.append(" ---: |".repeat(labels.size() + 3 + (hasTokens() ? 3 : 0)));
        sb.append('\n');
        for (SplitStats s : splits) {
            sb.append("| ").append(s.split()).append(" | ").append(s.size()).append(" |");
            for (int c : s.classCounts()) {
                sb.append(' ').append(c).append(s.size() > 0 ? String.format(Locale.ROOT, " (%.1f%%)", 100.0 * c / s.size()) : "")
                        .append(" |");
            }
            lengths(sb, s.words());
            if (hasTokens()) {
                lengths(sb, s.tokens());
            }
            sb.append('\n');
        }
        String empty = emptyTextNote();
        if (empty != null) {
            sb.append('\n').append(empty).append('\n');
        }
        return sb.toString();
    }

    /**
     * One line when some examples' text is empty (blank after cleaning and the template): they are trained and
     * evaluated as given, which is rarely meant; null when there are none.
     */
    public String emptyTextNote() {
        if (all().emptyTexts() == 0) {
            return null;
        }
        return String.format(Locale.ROOT, "%s: %d examples have empty text (train %d, validation %d, test %d); they are "
                + "used as given; drop them with filters: [{column: COLUMN, not_empty: true}]", name,
                all().emptyTexts(), split("train").emptyTexts(), split("validation").emptyTexts(),
                split("test").emptyTexts());
    }

    /** The seed study's table: one row per dataset (all splits together), plus sizes and class balance. */
    public static String summaryTable(List<DatasetStats> datasets) {
        boolean tokens = datasets.stream().allMatch(DatasetStats::hasTokens);
        StringBuilder sb = new StringBuilder();
        sb.append("| Name | Examples | Train / Val / Test | Classes | Majority class | Mean words | Median words | Std words |");
        if (tokens) {
            sb.append(" Mean tokens | Median tokens | Std tokens |");
        }
        sb.append("\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        if (tokens) {
            sb.append(" ---: | ---: | ---: |");
        }
        sb.append('\n');
        for (DatasetStats d : datasets) {
            SplitStats all = d.all();
            int major = 0;
            for (int c = 1; c < all.classCounts().size(); c++) {
                if (all.classCounts().get(c) > all.classCounts().get(major)) {
                    major = c;
                }
            }
            sb.append("| **").append(escape(d.name)).append("** | ").append(all.size()).append(" | ")
                    .append(d.split("train").size()).append(" / ").append(d.split("validation").size()).append(" / ")
                    .append(d.split("test").size()).append(" | ").append(d.labels.size()).append(" | ")
                    .append(escape(d.labels.get(major)))
                    .append(all.size() > 0 ? String.format(Locale.ROOT, " (%.1f%%)", 100.0 * all.classCounts().get(major) / all.size()) : "")
                    .append(" |");
            lengths(sb, all.words());
            if (tokens) {
                lengths(sb, all.tokens());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static void lengths(StringBuilder sb, LengthStats l) {
        if (l.count() == 0) {
            sb.append(" – | – | – |"); // an empty split (validation: 0) has no lengths
            return;
        }
        sb.append(String.format(Locale.ROOT, " %.2f | %.1f | %.2f |", l.mean(), l.median(), l.std()));
    }

    private static String escape(String s) {
        return s.replace("|", "\\|");
    }

    @Override
    public String toString() {
        return toMarkdown();
    }
}
