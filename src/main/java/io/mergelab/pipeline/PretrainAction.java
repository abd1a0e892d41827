package io.mergelab.pipeline;

import io.mergelab.data.TextCorpus;
import io.mergelab.train.CausalLmPretrainer;
import io.mergelab.train.PretrainJob;
import io.mergelab.train.SampledSoftmax;
import io.mergelab.train.TrainingArgs;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Pre-trains the base as a causal LM on a corpus. The model is built once per step id (preset, seed, corpus
 * bytes, arguments) in the shared cache {@code outputs/pretrained/<step id>/}, so reruns and other studies with
 * the same settings reuse it; the step's own output is a pointer to it. A killed build resumes from its
 * checkpoints in {@code <step id>.partial/}; a file lock keeps two studies from building the same one at once.
 *
 * @param corpus         the corpus files by content, in order
 * @param trainingArgs   the arguments with the pre-trainer's defaults filled in
 * @param sampledSoftmax targets drawn per batch for the output layer, 0 for the full softmax
 */
record PretrainAction(String initStep, List<InputFile> corpus, String column, double heldOut,
                      TrainingArgs trainingArgs, int sampledSoftmax) implements StepAction {
    static final String CACHE = "pretrained";

    @Override
    public String exclusiveResource() {
        return "gradient-collector";
    }

    @Override
    public void run(StepContext ctx) throws Exception {
        Path cacheRoot = ctx.studyDir().getParent().resolve(CACHE);
        Files.createDirectories(cacheRoot);
        Path done = cacheRoot.resolve(ctx.step().id());
        try (FileChannel ch = FileChannel.open(cacheRoot.resolve(ctx.step().id() + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
            if (!Files.isRegularFile(done.resolve("metrics.json"))) {
                Path partial = cacheRoot.resolve(ctx.step().id() + ".partial");
                TextCorpus text = TextCorpus.read(corpus.stream().map(InputFile::path).toList(), column);
                Path init = ModelOutputs.modelDir(ctx.outputOf(initStep));
                if (!Files.isRegularFile(partial.resolve("metrics.json"))) { // else killed just before the rename
                    new CausalLmPretrainer(trainingArgs, System.err, true,
                            sampledSoftmax > 0 ? new SampledSoftmax(sampledSoftmax) : null).withMetrics(ctx.metrics())
                            .run(new PretrainJob(init, text.documents(),
                            heldOut, partial, false));
                }
                StepStore.deleteRecursively(done);
                Files.move(partial, done, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        ModelOutputs.writePointer(ctx.workDir(), done);
    }
}
