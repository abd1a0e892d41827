package io.mergelab.merge;

import java.util.Locale;

/**
 * A parameter a method reads. {@code defaultValue} null means required; NaN means optional with no default.
 *
 * @param perModel per-model (looked up from the source's parameters first) vs. one global value per tensor
 * @param bool     settings typed bool in mergekit: must evaluate to exactly 0 or 1
 * @param integer  settings typed int in mergekit (an iteration count): must evaluate to a whole number
 * @param range    the values a study accepts (a typo guard; recipes run unchanged, as mergekit does not check)
 */
public record ParamSpec(String name, Double defaultValue, boolean perModel, boolean bool, boolean integer,
        Range range) {
    public ParamSpec {
        range = bool ? Range.BOOL : range == null ? Range.ANY : range;
    }

    /** A number or flag with no range; the form plug-ins written before integer settings and ranges use. */
    public ParamSpec(String name, Double defaultValue, boolean perModel, boolean bool) {
        this(name, defaultValue, perModel, bool, false, Range.ANY);
    }

    public static ParamSpec model(String name, Double defaultValue) {
        return new ParamSpec(name, defaultValue, true, false);
    }

    public static ParamSpec global(String name, Double defaultValue) {
        return new ParamSpec(name, defaultValue, false, false);
    }

    public static ParamSpec flag(String name, boolean defaultValue) {
        return new ParamSpec(name, defaultValue ? 1.0 : 0.0, false, true);
    }

    /** A global whole-number setting. */
    public static ParamSpec integer(String name, int defaultValue) {
        return new ParamSpec(name, (double) defaultValue, false, false, true, Range.ANY);
    }

    /** This parameter accepting {@code [min, max]}, with either end open where said. */
    public ParamSpec in(double min, boolean minOpen, double max, boolean maxOpen) {
        return new ParamSpec(name, defaultValue, perModel, bool, integer, new Range(min, minOpen, max, maxOpen));
    }

    /** This parameter accepting the closed interval {@code [min, max]}. */
    public ParamSpec in(double min, double max) {
        return in(min, false, max, false);
    }

    /** The same parameter with another default (null: required). */
    public ParamSpec withDefault(Double value) {
        return new ParamSpec(name, value, perModel, bool, integer, range);
    }

    public boolean required() {
        return defaultValue == null;
    }

    /** The values a parameter accepts; unbounded ends are infinite. */
    public record Range(double min, boolean minOpen, double max, boolean maxOpen) {
        public static final Range ANY = new Range(Double.NEGATIVE_INFINITY, true, Double.POSITIVE_INFINITY, true);
        static final Range BOOL = new Range(0, false, 1, false);

        public boolean contains(double v) {
            return (minOpen ? v > min : v >= min) && (maxOpen ? v < max : v <= max);
        }

        public boolean bounded() {
            return !equals(ANY);
        }

        /** Interval notation: {@code (0, 1]}, {@code [-10, 10]}, {@code any}. */
        @Override
        public String toString() {
            if (!bounded()) {
                return "any";
            }
            return (minOpen ? "(" : "[") + num(min) + ", " + num(max) + (maxOpen ? ")" : "]");
        }

        private static String num(double v) {
            if (Double.isInfinite(v)) {
                return v > 0 ? "∞" : "-∞";
            }
            return String.format(Locale.ROOT, "%s", v).replaceAll("\\.0$", "");
        }
    }
}
