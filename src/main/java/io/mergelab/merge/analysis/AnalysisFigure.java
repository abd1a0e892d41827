package io.mergelab.merge.analysis;

import java.util.ArrayList;
import java.util.List;

/**
 * One heatmap of an analysis, as data (the merge layer draws nothing itself: a {@link AnalysisOutputs.FigureWriter}
 * such as the report's heatmap writer does).
 *
 * @param stem    file name without extension
 * @param values  [row][column]; rows follow {@code rows} top to bottom, columns follow {@code columns}
 * @param min     the colour scale's lower end
 * @param max     its upper end
 */
public record AnalysisFigure(String stem, String title, String columnTitle, String rowTitle, List<String> columns,
        List<String> rows, List<List<Double>> values, double min, double max) {
    public AnalysisFigure {
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
        values = Measures.copy(values);
    }

    /** The figures every analysis has: cosine matrix, per-layer cosine, per-layer sign conflicts (pairs, trim). */
    public static List<AnalysisFigure> of(TaskVectorAnalysis a) {
        List<String> names = a.variants();
        int n = names.size();
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                pairs.add(AnalysisOutputs.shortName(names.get(i)) + " · " + AnalysisOutputs.shortName(names.get(j)));
            }
        }
        List<String> shortNames = names.stream().map(AnalysisOutputs::shortName).toList();
        List<String> layers = a.groups().stream().map(Measures::scope).toList();
        List<AnalysisFigure> out = new ArrayList<>();
        out.add(new AnalysisFigure("cosine", "Cosine similarity of task vectors (whole model)", "variant", "variant",
                shortNames, shortNames, a.model().cosine(), -1, 1));
        List<List<Double>> cosLayers = new ArrayList<>();
        List<List<Double>> conflictPairs = new ArrayList<>();
        List<List<Double>> conflictTrim = new ArrayList<>();
        for (Measures g : a.groups()) {
            List<Double> c = new ArrayList<>();
            List<Double> s = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    c.add(g.cosine(i, j));
                    s.add(g.signConflicts().get(0).pairwise(i, j));
                }
            }
            cosLayers.add(c);
            conflictPairs.add(s);
            conflictTrim.add(g.signConflicts().stream().map(SignConflicts::anyPair).toList());
        }
        out.add(new AnalysisFigure("cosine_layers", "Cosine similarity per layer", "variant pair", "layer", pairs,
                layers, cosLayers, -1, 1));
        out.add(new AnalysisFigure("sign_conflict_layers_pairs",
                "Sign conflicts per layer and pair (untrimmed)", "variant pair",
                "layer", pairs, layers, conflictPairs, 0, maxOf(conflictPairs)));
        List<String> trim = a.model().signConflicts().stream()
                .map(c -> c.trimDensity() == 1.0 ? "untrimmed" : "TIES d=" + AnalysisOutputs.num(c.trimDensity()))
                .toList();
        out.add(new AnalysisFigure("sign_conflict_layers_trim",
                "Sign conflicts per layer (any pair) and TIES trimming", "trimming", "layer",
                trim, layers, conflictTrim, 0, maxOf(conflictTrim)));
        return out;
    }

    private static double maxOf(List<List<Double>> m) {
        double max = m.stream().flatMap(List::stream).mapToDouble(Double::doubleValue).max().orElse(0);
        // a round upper end (a multiple of 0.05) so the colour scale's label reads well
        return max > 0 ? Math.min(1, Math.ceil(max * 20) / 20) : 1;
    }
}
