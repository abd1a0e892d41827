package io.mergelab.merge;

/**
 * A parameter a method reads. {@code defaultValue} null means required.
 *
 * @param perModel per-model (looked up from the source's parameters first) vs. one global value per tensor
 * @param bool     settings typed bool in mergekit: must evaluate to exactly 0 or 1
 * @param integer  settings typed int in mergekit (an iteration count): must evaluate to a whole number
 */
public record ParamSpec(String name, Double defaultValue, boolean perModel, boolean bool, boolean integer) {
    /** A number or flag (not an integer setting); the form plug-ins written before integer settings use. */
    public ParamSpec(String name, Double defaultValue, boolean perModel, boolean bool) {
        this(name, defaultValue, perModel, bool, false);
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
        return new ParamSpec(name, (double) defaultValue, false, false, true);
    }

    public boolean required() {
        return defaultValue == null;
    }
}
