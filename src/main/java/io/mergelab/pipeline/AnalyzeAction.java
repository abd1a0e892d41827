package io.mergelab.pipeline;

import io.mergelab.merge.ModelInput;
import io.mergelab.merge.analysis.AnalysisOutputs;
import io.mergelab.merge.analysis.AnalysisSettings;
import io.mergelab.merge.analysis.TaskVectorAnalysis;
import io.mergelab.merge.analysis.TaskVectorAnalyzer;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.report.Heatmap;
import io.mergelab.report.HeatmapPlots;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The task-vector analysis of one seed's variants against the study's base (docs/analysis.md), streamed tensor
 * by tensor as {@code mergelab analyze} does: writes {@code analysis/} (analysis.json, CSV tables, heatmaps) and
 * {@link #MERGES} (the seed, the variants and each merge's variants and density), from which the report puts
 * each merge's retention beside the similarity and sign conflicts of the task vectors it merged.
 *
 * @param variants each variant and its fine-tune step, in study order (the analysis names them so: a list, as
 *                 the order is part of what the step writes)
 */
record AnalyzeAction(String baseStep, List<Variant> variants, List<MergeRef> merges, long seed,
                     AnalysisSettings settings) implements StepAction {
    static final String DIR = "analysis";
    static final String MERGES = "merges.json";

    /** A merge of the study as the report relates it to the analysis; density null when it has none. */
    record MergeRef(String name, String method, List<String> models, Double density) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("method", method);
            m.put("models", models);
            m.put("density", density);
            return m;
        }
    }

    record Variant(String name, String step) {
    }

    AnalyzeAction {
        variants = List.copyOf(variants);
        merges = List.copyOf(merges);
    }

    @Override
    public void run(StepContext ctx) throws Exception {
        ModelInput base = input("base", ModelOutputs.modelDir(ctx.outputOf(baseStep)));
        List<ModelInput> inputs = new ArrayList<>();
        for (Variant v : variants) {
            inputs.add(input(v.name(), ModelOutputs.modelDir(ctx.outputOf(v.step()))));
        }
        TaskVectorAnalysis analysis = new TaskVectorAnalyzer(settings).analyze(base, inputs);
        AnalysisOutputs.write(analysis, ctx.workDir().resolve(DIR), true, (f, dir) -> HeatmapPlots.write(
                new Heatmap(f.title(), f.columnTitle(), f.rowTitle(), f.columns(), f.rows(), f.values(), f.min(),
                        f.max()), dir, f.stem()));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("seed", seed);
        doc.put("variants", variants.stream().map(Variant::name).toList());
        doc.put("merges", merges.stream().map(MergeRef::toMap).toList());
        StepStore.writeAtomically(ctx.workDir().resolve(MERGES),
                Canonical.json().writerWithDefaultPrettyPrinter().writeValueAsString(doc) + "\n");
    }

    private static ModelInput input(String name, Path dir) {
        return new ModelInput(name, CheckpointDir.open(dir));
    }
}
