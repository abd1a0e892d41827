package io.mergelab.model.checkpoint;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A checkpoint file or directory is malformed or not what we support. The message always starts
 * with the offending file, then the tensor or JSON field where one is involved.
 */
public class CheckpointFormatException extends RuntimeException {
    // Path is not Serializable; the message carries it anyway.
    private final transient Path file;
    private final String tensor;

    public CheckpointFormatException(Path file, String message) {
        this(file, null, message, null);
    }

    public CheckpointFormatException(Path file, String tensor, String message) {
        this(file, tensor, message, null);
    }

    public CheckpointFormatException(Path file, String tensor, String message, Throwable cause) {
        super(format(file, tensor, message), cause);
        this.file = file;
        this.tensor = tensor;
    }

    /** For config/index JSON problems: names the file and the JSON field. */
    public static CheckpointFormatException field(Path file, String field, String message) {
        return new CheckpointFormatException(file, null, "field '" + field + "': " + message, null);
    }

    public Path file() {
        return file;
    }

    /** The tensor involved, if any. */
    public Optional<String> tensor() {
        return Optional.ofNullable(tensor);
    }

    private static String format(Path file, String tensor, String message) {
        StringBuilder sb = new StringBuilder();
        sb.append(file == null ? "<unknown file>" : file.toString()).append(": ");
        if (tensor != null) {
            sb.append("tensor '").append(tensor).append("': ");
        }
        return sb.append(message).toString();
    }
}
