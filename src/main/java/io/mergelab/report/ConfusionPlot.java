package io.mergelab.report;

import java.io.IOException;
import java.nio.file.Path;

/** The confusion-matrix PNG of one evaluation, for callers outside the report (MLflow artifacts). */
public final class ConfusionPlot {
    private ConfusionPlot() {}

    /** Writes {@code confusion.png} (rows = true labels, columns = predicted) into {@code dir}. */
    public static Path write(EvalRecord r, Path dir) throws IOException {
        String title = r.model() + " on " + r.dataset() + " (" + r.split() + ")";
        return Plots.confusion(r, title, "confusion", dir);
    }
}
