package io.mergelab.pipeline;

import io.mergelab.eval.LogitsFile;

import io.mergelab.config.StudyConfig;
import io.mergelab.data.DatasetSplits;
import io.mergelab.eval.ClassificationMetrics;
import io.mergelab.merge.HeadSwap;
import io.mergelab.report.EvalRecord;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Evaluates one model on one split of one dataset; {@code headStep} (a fine-tuned classifier of that dataset) lends
 * its head when the model was merged across datasets. Writes {@code result.json} and {@code logits.json}.
 * {@code compute} is not identity (see {@link FinetuneAction}); batch size and max_length are (truncation and
 * batching may move the numbers).
 */
record EvaluateAction(String modelStep, String dataStep, String headStep, String split, ResultMeta meta,
                      int batchSize, int maxLength, @NotInStepId StudyConfig.Compute compute) implements StepAction {
    @Override
    public void run(StepContext ctx) throws Exception {
        DatasetSplits data = PreparedData.read(ctx.outputOf(dataStep));
        Path model = ModelOutputs.modelDir(ctx.outputOf(modelStep));
        if (headStep != null) {
            Path composed = ctx.workDir().resolve("model-with-head");
            HeadSwap.compose(model, ModelOutputs.modelDir(ctx.outputOf(headStep)), composed);
            model = composed;
        }
        ModelLogits.Result r = ModelLogits.compute(model, data.labels(), data.split(split), batchSize, maxLength,
                StudyCompute.choose(compute));
        if (headStep != null) {
            StepStore.deleteRecursively(model); // rebuilt cheaply; keeps the study folder small
        }
        for (float[] row : r.logits()) {
            for (float v : row) {
                if (!Float.isFinite(v)) {
                    throw new IllegalStateException(meta.model() + " gives non-finite logits on " + meta.dataset() + "/"
                            + split + ": its weights hold NaN/Inf (a diverged fine-tune or merge)");
                }
            }
        }
        LogitsFile.write(ctx.workDir(), r.gold(), r.logits());
        ClassificationMetrics m = ClassificationMetrics.compute(data.labels(), r.gold(), r.logits());
        Files.writeString(ctx.workDir().resolve(EvalRecord.FILE), meta.record(m).toJson());
    }

    /** What the report needs to place a result: row name, role, method, dataset, split, seed, merge parameters. */
    record ResultMeta(String model, String role, String method, String dataset, String split, long seed,
                      String sweep, Map<String, Double> params) {
        EvalRecord record(ClassificationMetrics m) {
            Map<String, Double> metrics = new java.util.LinkedHashMap<>(m.scalars());
            metrics.put("num_examples", (double) m.count());
            metrics.put("majority_rate", m.majorityRate());
            return new EvalRecord(model, role, method, dataset, split, seed, sweep, params, metrics, m.labels(),
                    m.confusion());
        }
    }
}
