package io.mergelab.pipeline;

import io.mergelab.eval.LogitsFile;

import io.mergelab.eval.ClassificationMetrics;
import io.mergelab.report.EvalRecord;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Output-ensemble baselines on one dataset split, from the members' saved logits: the average of logits, or
 * (stacker) a logistic regression trained on the members' validation logits and applied to this split.
 *
 * @param members          evaluation steps of the members on this split
 * @param validationSteps  for the stacker: the members' evaluation steps on validation (same order); else empty
 */
record EnsembleAction(List<String> members, List<String> validationSteps, List<String> labels,
                      EvaluateAction.ResultMeta meta) implements StepAction {
    @Override
    public void run(StepContext ctx) throws Exception {
        List<LogitsFile.Logits> outs = new ArrayList<>();
        for (String m : members) {
            outs.add(LogitsFile.read(ctx.outputOf(m)));
        }
        int[] gold = outs.get(0).gold();
        for (LogitsFile.Logits l : outs) {
            if (!Arrays.equals(gold, l.gold())) {
                throw new IllegalStateException("ensemble members were evaluated on different examples");
            }
        }
        float[][] logits;
        if (validationSteps.isEmpty()) {
            logits = average(outs);
        } else {
            List<float[][]> val = new ArrayList<>();
            int[] valGold = null;
            for (String v : validationSteps) {
                LogitsFile.Logits l = LogitsFile.read(ctx.outputOf(v));
                val.add(l.logits());
                valGold = l.gold();
            }
            LogisticStacker stacker = LogisticStacker.fit(LogisticStacker.concat(val), valGold, labels.size(),
                    1e-3, 300, 0.5);
            logits = stacker.predict(LogisticStacker.concat(outs.stream().map(LogitsFile.Logits::logits).toList()));
        }
        LogitsFile.write(ctx.workDir(), gold, logits);
        ClassificationMetrics m = ClassificationMetrics.compute(labels, gold, logits);
        Files.writeString(ctx.workDir().resolve(EvalRecord.FILE), meta.record(m).toJson());
    }

    private static float[][] average(List<LogitsFile.Logits> outs) {
        int n = outs.get(0).logits().length;
        float[][] avg = new float[n][];
        for (int i = 0; i < n; i++) {
            avg[i] = new float[outs.get(0).logits()[i].length];
            for (LogitsFile.Logits l : outs) {
                for (int c = 0; c < avg[i].length; c++) {
                    avg[i][c] += l.logits()[i][c] / outs.size();
                }
            }
        }
        return avg;
    }
}
