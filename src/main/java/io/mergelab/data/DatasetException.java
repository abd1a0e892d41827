package io.mergelab.data;

/**
 * A dataset spec or data file that cannot be used. The message is one line that names the file
 * (with line:column or record where known), the spec field or column, and what was expected.
 */
public final class DatasetException extends IllegalArgumentException {
    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
