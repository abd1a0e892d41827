package io.mergelab.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * Turns a {@link DatasetSpec} into examples and splits: read, filter, map labels, cap ({@code max_samples}),
 * seeded stratified split; and makes the training variants merge studies need (disjoint slices, bootstraps).
 * Everything is a pure function of its inputs and seed: same spec and seed, same examples in the same order.
 */
public final class Datasets {
    private Datasets() {}

    /** How k training variants differ. */
    public enum VariantMode {
        /** k disjoint stratified slices of train (the seed study: 5 models on disjoint 20 % slices). */
        DISJOINT,
        /** k stratified bootstrap resamples of train. */
        BOOTSTRAP,
        /** k copies of the whole train set: variants differ by training seed only. */
        SEED_ONLY
    }

    /**
     * One data file after reading, filtering and label mapping.
     *
     * @param file        the file read
     * @param rowsRead    data rows in the file
     * @param filteredOut rows dropped by {@code filters:}
     * @param examples    the rest, in file order
     */
    public record LoadedFile(Path file, int rowsRead, int filteredOut, List<Example> examples) {
        public LoadedFile {
            examples = List.copyOf(examples);
        }
    }

    /**
     * Reads, filters and maps the spec's data, caps it at {@code max_samples} and splits it (fractions or files),
     * stratified by label and seeded ({@code split.seed} in the spec, when given, wins over {@code seed}).
     *
     * @throws DatasetException on a missing file or column, a label outside the label space, an empty split,
     *                          or a class with no training example
     */
    public static DatasetSplits prepare(DatasetSpec spec, long seed) {
        long s = spec.split().seed() != null ? spec.split().seed() : seed;
        SplitPlan plan = spec.split();
        LoadedFile poolFile = load(spec, spec.dataFile());
        List<Example> pool = capped(spec, poolFile, mix(s, 1));
        List<Example> validation = null;
        List<Example> test = null;
        if (spec.validationFile() != null) {
            validation = shuffled(capped(spec, load(spec, spec.validationFile()), mix(s, 2)), mix(s, 12));
            requireNonEmpty(spec, validation, "split.files.validation", spec.validationFile());
        }
        if (spec.testFile() != null) {
            test = shuffled(capped(spec, load(spec, spec.testFile()), mix(s, 3)), mix(s, 13));
            requireNonEmpty(spec, test, "split.files.test", spec.testFile());
        }
        double fv = validation == null ? plan.validation() : 0;
        double ft = test == null ? plan.test() : 0;
        List<List<Example>> parts = carve(spec, pool, fv, ft, plan.stratify(), mix(s, 4));
        List<Example> train = parts.get(0);
        if (validation == null) {
            validation = parts.get(1);
            if (fv > 0 && validation.isEmpty()) {
                throw spec.source().error("split.validation", "a fraction " + fv + " of " + pool.size()
                        + " examples leaves the validation split empty; raise it or use more data");
            }
        }
        if (test == null) {
            test = parts.get(2);
            if (ft > 0 && test.isEmpty()) {
                throw spec.source().error("split.test", "a fraction " + ft + " of " + pool.size()
                        + " examples leaves the test split empty; raise it or use more data");
            }
        }
        requireEveryClass(spec, train, poolFile);
        return new DatasetSplits(spec.name(), spec.labels(), train, validation, test);
    }

    /** The spec's training pool (path or split.files.train), filtered and mapped, before capping and splitting. */
    public static LoadedFile read(DatasetSpec spec) {
        return load(spec, spec.dataFile());
    }

    /**
     * Reads one file with the spec's format, filters, text template, cleaning and label mapping.
     * Columns are checked against the file's header first: a missing one is an error listing those available.
     */
    public static LoadedFile load(DatasetSpec spec, Path file) {
        RawTable table = TableReader.read(file, spec.readOptions(file));
        List<String> placeholders = spec.text().placeholders();
        int[] textCols = new int[placeholders.size()];
        for (int i = 0; i < textCols.length; i++) {
            textCols[i] = column(spec, table, placeholders.get(i), "text");
        }
        int labelCol = column(spec, table, spec.label().column(),
                spec.label().kind() == LabelMapping.Kind.TRANSFORM ? "label.transform" : "label.column");
        List<RowFilter> filters = spec.filters();
        int[] filterCols = new int[filters.size()];
        for (int i = 0; i < filterCols.length; i++) {
            filterCols[i] = column(spec, table, filters.get(i).column(), filters.get(i).field() + ".column");
        }
        List<Example> out = new ArrayList<>(table.rows().size());
        int dropped = 0;
        List<String> values = new ArrayList<>(textCols.length);
        rows:
        for (RawTable.Row row : table.rows()) {
            for (int i = 0; i < filterCols.length; i++) {
                boolean keep;
                try {
                    keep = filters.get(i).keep(row.values().get(filterCols[i]));
                } catch (IllegalArgumentException e) {
                    throw new DatasetException(file + ": " + row.where() + ", column '" + filters.get(i).column()
                            + "': " + e.getMessage() + " [" + spec.locate(filters.get(i).field()) + "]");
                }
                if (!keep) {
                    dropped++;
                    continue rows;
                }
            }
            int label;
            String raw = row.values().get(labelCol);
            try {
                label = spec.label().apply(raw);
            } catch (IllegalArgumentException e) {
                throw new DatasetException(file + ": " + row.where() + ", column '" + spec.label().column() + "': "
                        + e.getMessage() + " [" + spec.locate(labelField(spec.label())) + "]");
            }
            values.clear();
            for (int c : textCols) {
                String v = row.values().get(c);
                for (TextCleaner step : spec.clean()) {
                    v = step.apply(v);
                }
                values.add(v);
            }
            out.add(new Example(spec.text().render(values), label));
        }
        return new LoadedFile(file, table.rows().size(), dropped, out);
    }

    private static String labelField(LabelMapping m) {
        return switch (m.kind()) {
            case TRANSFORM -> "label.transform";
            case MAP -> "label.map";
            case BINS -> "label.bins";
            case IDENTITY -> "label.names";
        };
    }

    private static int column(DatasetSpec spec, RawTable table, String name, String field) {
        int i = table.columnIndex(name);
        if (i < 0) {
            throw new DatasetException(table.file() + ": no column '" + name + "' (named by " + spec.locate(field)
                    + "); available columns: " + table.columnList());
        }
        return i;
    }

    private static List<Example> capped(DatasetSpec spec, LoadedFile f, long seed) {
        if (f.examples().isEmpty()) {
            throw new DatasetException(f.file() + ": no examples" + (f.rowsRead() == 0 ? " (no data rows)"
                    : " left: all " + f.rowsRead() + " rows were dropped by the filters [" + spec.locate("filters") + "]"));
        }
        Integer max = spec.maxSamples();
        if (max == null || f.examples().size() <= max) {
            return f.examples();
        }
        return subsample(f.examples(), max, spec.numLabels(), seed);
    }

    /** A seeded subsample of {@code n} examples with each class's share kept (largest remainder), in the original order. */
    static List<Example> subsample(List<Example> examples, int n, int numLabels, long seed) {
        List<List<Integer>> byClass = indicesByClass(examples, numLabels);
        int[] counts = byClass.stream().mapToInt(List::size).toArray();
        int[] quota = allocate(counts, n);
        Random rnd = new Random(seed);
        boolean[] keep = new boolean[examples.size()];
        for (int c = 0; c < byClass.size(); c++) {
            List<Integer> idx = new ArrayList<>(byClass.get(c));
            shuffle(idx, rnd);
            for (int j = 0; j < quota[c]; j++) {
                keep[idx.get(j)] = true;
            }
        }
        List<Example> out = new ArrayList<>(n);
        for (int i = 0; i < keep.length; i++) {
            if (keep[i]) {
                out.add(examples.get(i));
            }
        }
        return out;
    }

    /** Splits the pool into [train, validation, test] by fractions; each part shuffled. */
    private static List<List<Example>> carve(DatasetSpec spec, List<Example> pool, double fv, double ft,
                                             boolean stratify, long seed) {
        Random rnd = new Random(seed);
        List<Example> train = new ArrayList<>();
        List<Example> val = new ArrayList<>();
        List<Example> test = new ArrayList<>();
        int n = pool.size();
        int nTest = (int) Math.round(n * ft);
        int nVal = (int) Math.round(n * fv);
        if (!stratify) {
            List<Example> all = new ArrayList<>(pool);
            shuffle(all, rnd);
            test.addAll(all.subList(0, nTest));
            val.addAll(all.subList(nTest, nTest + nVal));
            train.addAll(all.subList(nTest + nVal, n));
        } else {
            List<List<Integer>> byClass = indicesByClass(pool, spec.numLabels());
            int[] counts = byClass.stream().mapToInt(List::size).toArray();
            int[] qTest = allocate(counts, nTest);
            int[] left = new int[counts.length];
            for (int c = 0; c < counts.length; c++) {
                left[c] = counts[c] - qTest[c];
            }
            // validation takes its share of the whole pool, from what test left
            int[] qVal = allocateShare(counts, left, nVal);
            for (int c = 0; c < counts.length; c++) {
                // a tiny class keeps one training example rather than filling a held-out split
                if (counts[c] > 0 && counts[c] - qTest[c] - qVal[c] == 0) {
                    if (qVal[c] > 0) {
                        qVal[c]--;
                    } else {
                        qTest[c]--;
                    }
                }
                List<Integer> idx = new ArrayList<>(byClass.get(c));
                shuffle(idx, rnd);
                for (int j = 0; j < idx.size(); j++) {
                    Example e = pool.get(idx.get(j));
                    (j < qTest[c] ? test : j < qTest[c] + qVal[c] ? val : train).add(e);
                }
            }
        }
        shuffle(train, rnd);
        shuffle(val, rnd);
        shuffle(test, rnd);
        return List.of(train, val, test);
    }

    private static void requireNonEmpty(DatasetSpec spec, List<Example> examples, String field, Path file) {
        if (examples.isEmpty()) {
            throw spec.source().error(field, file + " gives an empty split");
        }
    }

    private static void requireEveryClass(DatasetSpec spec, List<Example> train, LoadedFile pool) {
        int[] counts = classCounts(train, spec.numLabels());
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] == 0) {
                int inPool = classCounts(pool.examples(), spec.numLabels())[c];
                throw new DatasetException(spec.locate("label.names") + ": class '" + spec.labels().get(c) + "' (id " + c
                        + ") has no training example (" + pool.file() + " has " + inPool + " after filters; training counts "
                        + Arrays.toString(counts) + "); check the label mapping, filters, max_samples or split");
            }
        }
    }

    /**
     * Splits train into {@code k} disjoint slices that together cover it: each class is shuffled (seeded) and dealt
     * round-robin, continuing across classes, so slice sizes and per-class counts differ by at most one.
     */
    public static List<List<Example>> disjointSlices(List<Example> train, int k, long seed) {
        if (k < 1) {
            throw new IllegalArgumentException("disjoint slices: k must be at least 1, got " + k);
        }
        if (k > train.size()) {
            throw new IllegalArgumentException("disjoint slices: cannot cut " + train.size() + " training examples into "
                    + k + " non-empty slices");
        }
        Random rnd = new Random(mix(seed, 21));
        List<List<Example>> slices = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            slices.add(new ArrayList<>());
        }
        int next = 0;
        for (List<Example> cls : byLabel(train)) {
            List<Example> members = new ArrayList<>(cls);
            shuffle(members, rnd);
            for (Example e : members) {
                slices.get(next).add(e);
                next = (next + 1) % k;
            }
        }
        List<List<Example>> out = new ArrayList<>();
        for (List<Example> s : slices) {
            shuffle(s, rnd);
            out.add(List.copyOf(s));
        }
        return List.copyOf(out);
    }

    /** A stratified bootstrap resample: each class drawn with replacement to its own size, so class counts are kept. */
    public static List<Example> bootstrap(List<Example> train, long seed) {
        Random rnd = new Random(mix(seed, 31));
        List<Example> out = new ArrayList<>(train.size());
        for (List<Example> cls : byLabel(train)) {
            for (int i = 0; i < cls.size(); i++) {
                out.add(cls.get(rnd.nextInt(cls.size())));
            }
        }
        shuffle(out, rnd);
        return List.copyOf(out);
    }

    /** {@code k} training sets for k model variants; variant i of BOOTSTRAP uses a seed derived from (seed, i). */
    public static List<List<Example>> variants(List<Example> train, VariantMode mode, int k, long seed) {
        if (k < 1) {
            throw new IllegalArgumentException("variants: k must be at least 1, got " + k);
        }
        return switch (mode) {
            case DISJOINT -> disjointSlices(train, k, seed);
            case BOOTSTRAP -> {
                List<List<Example>> out = new ArrayList<>();
                for (int i = 0; i < k; i++) {
                    out.add(bootstrap(train, mix(seed, 100 + i)));
                }
                yield List.copyOf(out);
            }
            case SEED_ONLY -> {
                List<Example> copy = List.copyOf(train);
                List<List<Example>> out = new ArrayList<>();
                for (int i = 0; i < k; i++) {
                    out.add(copy);
                }
                yield List.copyOf(out);
            }
        };
    }

    /** Examples per label id ({@code numLabels} entries). */
    public static int[] classCounts(List<Example> examples, int numLabels) {
        int[] counts = new int[numLabels];
        for (Example e : examples) {
            if (e.label() >= numLabels) {
                throw new IllegalArgumentException("label " + e.label() + " outside 0.." + (numLabels - 1));
            }
            counts[e.label()]++;
        }
        return counts;
    }

    // --- helpers ---

    private static List<List<Integer>> indicesByClass(List<Example> examples, int numLabels) {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < numLabels; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < examples.size(); i++) {
            byClass.get(examples.get(i).label()).add(i);
        }
        return byClass;
    }

    private static List<List<Example>> byLabel(List<Example> examples) {
        TreeMap<Integer, List<Example>> m = new TreeMap<>();
        for (Example e : examples) {
            m.computeIfAbsent(e.label(), x -> new ArrayList<>()).add(e);
        }
        return new ArrayList<>(m.values());
    }

    /** Splits {@code target} over classes in proportion to {@code counts} (largest remainder; ties to lower ids). */
    static int[] allocate(int[] counts, int target) {
        return allocateShare(counts, counts, target);
    }

    /** Proportional to {@code weights}, capped by {@code caps}, summing to {@code target} (when the caps allow). */
    private static int[] allocateShare(int[] weights, int[] caps, int target) {
        long total = Arrays.stream(weights).asLongStream().sum();
        int[] q = new int[weights.length];
        if (total == 0 || target <= 0) {
            return q;
        }
        double[] rem = new double[weights.length];
        int given = 0;
        for (int c = 0; c < weights.length; c++) {
            double exact = (double) weights[c] * target / total;
            q[c] = Math.min(caps[c], (int) Math.floor(exact));
            rem[c] = exact - Math.floor(exact);
            given += q[c];
        }
        while (given < target) {
            int best = -1;
            for (int c = 0; c < weights.length; c++) {
                if (q[c] < caps[c] && (best < 0 || rem[c] > rem[best])) {
                    best = c;
                }
            }
            if (best < 0) {
                break;
            }
            q[best]++;
            rem[best] = -1;
            given++;
            if (Arrays.stream(rem).allMatch(r -> r < 0)) {
                Arrays.fill(rem, 0); // another round when caps forced more than one pass
            }
        }
        return q;
    }

    private static <T> List<T> shuffled(List<T> list, long seed) {
        List<T> out = new ArrayList<>(list);
        shuffle(out, new Random(seed));
        return out;
    }

    /** Fisher–Yates with java.util.Random, whose sequence the JDK specifies: the same on every JVM. */
    private static <T> void shuffle(List<T> list, Random rnd) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    /** SplitMix64 of (seed, stream): independent seeds for sampling, splitting and slicing. */
    static long mix(long seed, long stream) {
        long z = seed + 0x9E3779B97F4A7C15L * (stream + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
