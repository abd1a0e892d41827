package io.mergelab.yaml;

/** A config that cannot be used; the message is one line: {@code file:line:column: what was expected}. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Mark mark;
    private final String problem;

    public ConfigException(Mark mark, String problem) {
        super(mark + ": " + problem);
        this.mark = mark;
        this.problem = problem;
    }

    public ConfigException(Mark mark, String problem, Throwable cause) {
        super(mark + ": " + problem, cause);
        this.mark = mark;
        this.problem = problem;
    }

    public Mark mark() {
        return mark;
    }

    /** The message without the position. */
    public String problem() {
        return problem;
    }
}
