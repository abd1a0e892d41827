package io.mergelab.data;

import java.util.Set;

/**
 * The {@code split:} of a spec. Validation and test each come from a file ({@code files: {test: b.csv}}) or,
 * without one, from a fraction of the training pool ({@code path:} or {@code files.train}).
 * Defaults: validation 0.1 and test 0.2 when no files are given, 0 for a split whose file is missing otherwise.
 *
 * @param validation     fraction of the pool held out for validation (unused when validationFile is set)
 * @param test           fraction of the pool held out for test (unused when testFile is set)
 * @param stratify       keep each class's share the same in every split
 * @param seed           fixed seed for sampling and splitting; null: the seed passed to {@code Datasets.prepare}
 * @param trainFile      training pool file, as written (null: the spec's {@code path})
 * @param validationFile validation file, as written, or null
 * @param testFile       test file, as written, or null
 */
public record SplitPlan(double validation, double test, boolean stratify, Long seed,
                        String trainFile, String validationFile, String testFile) {

    private static final Set<String> KEYS = Set.of("validation", "test", "stratify", "seed", "files");
    private static final Set<String> FILE_KEYS = Set.of("train", "validation", "test");

    static SplitPlan parse(SpecMap spec) {
        SpecMap s = spec.map("split");
        if (s == null) {
            return new SplitPlan(0.1, 0.2, true, null, null, null, null);
        }
        s.checkKeys(KEYS);
        SpecMap files = s.map("files");
        String train = null;
        String validationFile = null;
        String testFile = null;
        if (files != null) {
            files.checkKeys(FILE_KEYS);
            train = files.string("train");
            validationFile = files.string("validation");
            testFile = files.string("test");
            if (validationFile != null && s.has("validation")) {
                throw s.error("validation", "give either a validation fraction or files.validation, not both");
            }
            if (testFile != null && s.has("test")) {
                throw s.error("test", "give either a test fraction or files.test, not both");
            }
        }
        double dv = files == null ? 0.1 : 0.0;
        double dt = files == null ? 0.2 : 0.0;
        double validation = fraction(s, "validation", dv);
        double test = fraction(s, "test", dt);
        if (validation + test >= 1.0) {
            throw s.error("", "validation " + validation + " + test " + test + " leave nothing to train on (need a sum below 1)");
        }
        Boolean stratify = s.bool("stratify");
        Integer seed = null;
        if (s.has("seed")) {
            seed = s.integer("seed");
        }
        return new SplitPlan(validation, test, stratify == null || stratify, seed == null ? null : seed.longValue(),
                train, validationFile, testFile);
    }

    private static double fraction(SpecMap s, String key, double dflt) {
        Double v = s.number(key);
        if (v == null) {
            return dflt;
        }
        if (v < 0 || v >= 1) {
            throw s.error(key, "expected a fraction in [0, 1), got " + v
                    + (v >= 1 ? " (a count? fractions only; use max_samples to cap sizes)" : ""));
        }
        return v;
    }
}
