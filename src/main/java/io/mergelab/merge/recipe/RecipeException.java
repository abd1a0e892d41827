package io.mergelab.merge.recipe;

import java.nio.file.Path;

/** A recipe file is malformed: the message names the file, the field and (where known) line and column. */
public final class RecipeException extends RuntimeException {
    private final String field;
    private final String problem;

    public RecipeException(Path file, String field, int line, int column, String message) {
        super(format(file, field, line, column, message));
        this.field = field;
        this.problem = message;
    }

    /** The field at fault (e.g. {@code models[0].parameters.density}), or null. */
    public String field() {
        return field;
    }

    /** The message without file, position and field, for callers that report the place themselves. */
    public String problem() {
        return problem;
    }

    public RecipeException(Path file, String field, String message) {
        this(file, field, -1, -1, message);
    }

    private static String format(Path file, String field, int line, int column, String message) {
        StringBuilder sb = new StringBuilder(file == null ? "<recipe>" : file.toString());
        if (line >= 0) {
            sb.append(':').append(line + 1).append(':').append(column + 1);
        }
        sb.append(": ");
        if (field != null) {
            sb.append("field '").append(field).append("': ");
        }
        return sb.append(message).toString();
    }
}
