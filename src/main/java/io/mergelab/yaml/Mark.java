package io.mergelab.yaml;

/** Where a config value came from: a file position (1-based) or a command-line override. */
public record Mark(String source, int line, int column) {
    public static Mark of(String source) {
        return new Mark(source, 0, 0);
    }

    @Override
    public String toString() {
        return line > 0 ? source + ":" + line + ":" + column : source;
    }
}
