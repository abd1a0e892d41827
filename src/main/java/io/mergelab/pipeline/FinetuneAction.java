package io.mergelab.pipeline;

import io.mergelab.config.StudyConfig;
import io.mergelab.data.DatasetSplits;
import io.mergelab.data.Datasets;
import io.mergelab.data.Example;
import io.mergelab.train.FineTuneJob;
import io.mergelab.train.FineTuneResult;
import io.mergelab.train.FineTuner;
import io.mergelab.train.TrainingArgs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fine-tunes the base on a dataset (all of train, or disjoint slice {@code sliceIndex} of {@code sliceCount},
 * cut with the data seed so the slices of one study never overlap). Resumable: its work folder survives a kill
 * and the trainer continues from its last checkpoint.
 *
 * @param compute where and in which precision to compute: not identity, as the device is chosen where the step
 *                runs, and precision computes in fp32 for now (DJL has no autocast, docs/devices.md)
 */
record FinetuneAction(String baseStep, String dataStep, int sliceIndex, int sliceCount, long dataSeed,
                      TrainingArgs trainingArgs, @NotInStepId StudyConfig.Compute compute) implements StepAction {
    @Override
    public boolean resumable() {
        return true;
    }

    @Override
    public String exclusiveResource() {
        return "gradient-collector";
    }

    @Override
    public void run(StepContext ctx) throws Exception {
        Path out = ctx.workDir().resolve("model");
        if (Files.isRegularFile(out.resolve("metrics.json"))) {
            return; // finished before a kill hit the commit
        }
        DatasetSplits data = PreparedData.read(ctx.outputOf(dataStep));
        List<Example> train = sliceCount > 0
                ? Datasets.disjointSlices(data.train(), sliceCount, dataSeed).get(sliceIndex) : data.train();
        Path base = ModelOutputs.modelDir(ctx.outputOf(baseStep));
        FineTuneResult result = new FineTuner(trainingArgs, System.err, true, StudyCompute.choose(compute))
                .withMetrics(ctx.metrics()).run(new FineTuneJob(base, data.labels(), train,
                data.validation(), List.of(), out, false));
        if (!Double.isFinite(result.trainLoss())) {
            // A diverged model would poison every merge and score as chance: stop here and say so.
            StepStore.deleteRecursively(out);
            throw new IllegalStateException("fine-tuning diverged (training loss " + result.trainLoss()
                    + "); lower training_args.learning_rate or set max_grad_norm");
        }
    }
}
