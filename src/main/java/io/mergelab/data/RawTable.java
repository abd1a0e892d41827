package io.mergelab.data;

import java.nio.file.Path;
import java.util.List;

/**
 * A data file as read: column names and rows of strings, before any filter or label mapping.
 *
 * @param file    the file read (named in every error)
 * @param columns column names in file order
 * @param rows    data rows
 */
public record RawTable(Path file, List<String> columns, List<Row> rows) {

    /**
     * One data row.
     *
     * @param record 1-based data record number (the header is not counted)
     * @param line   1-based line in the file where the record starts (records may span lines)
     * @param values one value per column ("" where a JSONL object lacks the key)
     */
    public record Row(long record, long line, List<String> values) {
        /** "record 7 (line 12)": how errors point at a row. */
        public String where() {
            return "record " + record + " (line " + line + ")";
        }
    }

    public int columnIndex(String name) {
        return columns.indexOf(name);
    }

    /** The column list as users read it in errors, e.g. {@code [column1, drugName, review]}. */
    public String columnList() {
        return columns.toString();
    }
}
