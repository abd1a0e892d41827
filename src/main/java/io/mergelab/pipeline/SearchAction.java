package io.mergelab.pipeline;

import io.mergelab.yaml.Mark;
import io.mergelab.config.StudyConfig;
import io.mergelab.data.DatasetSplits;
import io.mergelab.merge.MethodRegistry;
import io.mergelab.search.SearchConfig;
import io.mergelab.search.SearchRunner;
import io.mergelab.track.MlflowTracker;
import io.mergelab.track.NoopTracker;
import io.mergelab.track.Tracker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs a study's merge-parameter search in its (stable) work folder: models are the fine-tune step outputs,
 * candidates are scored on the data steps' validation splits. The journal lives in the work folder, so a killed
 * step resumes without re-scoring anything. The best checkpoint is linked as {@code model/}, which the evaluate
 * steps read like any merge's output. Candidates are MLflow child runs of a {@code search/NAME} run in the
 * study's experiment (journal-only without a server; nothing with tracking disabled).
 *
 * @param written    the study's {@code search:} section as written: the search's identity ({@code config} is its
 *                   parsed form, with the study's paths resolved)
 * @param modelSteps step id of each model name of the search (variants and {@code base})
 * @param dataSteps  data step id of each objective dataset, in order
 * @param study      for where candidates are logged (tracking) and computed (device): not identity
 */
record SearchAction(Map<String, Object> written, Map<String, String> modelSteps, List<String> dataSteps,
                    @NotInStepId SearchConfig config, @NotInStepId StudyConfig study,
                    @NotInStepId Mark mark) implements StepAction {

    @Override
    public void run(StepContext ctx) throws Exception {
        SearchConfig resolved = config.withModelDirs(name -> {
            try {
                return ModelOutputs.modelDir(ctx.outputOf(modelSteps.get(name)));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        List<DatasetSplits> data = new ArrayList<>();
        for (String d : dataSteps) {
            data.add(PreparedData.read(ctx.outputOf(d)));
        }
        TrackingSettings settings = TrackingSettings.resolve(study, System.getenv());
        try (Tracker tracker = !settings.enabled() ? new NoopTracker() : settings.endpoint()
                .<Tracker>map(e -> new MlflowTracker(e, System.err))
                .orElseGet(() -> MlflowTracker.journalOnly(new PrintStream(OutputStream.nullOutputStream())))) {
            SearchRunner.Result r = new SearchRunner(resolved, MethodRegistry.load(), tracker, mark)
                    .run(new SearchRunner.Options(ctx.workDir(), true, System.err, settings.experiment(),
                            ctx.step().id(), StudyCompute.choose(study.compute())), data);
            Path best = r.checkpoints().get(0);
            if (!best.getFileName().toString().equals(String.format("candidate-%05d", r.bestIndex()))) {
                throw new IllegalStateException(best + " is not the best candidate " + r.bestIndex());
            }
            linkTree(best, ctx.workDir().resolve("model"));
        }
    }

    @Override
    public boolean resumable() {
        return true;
    }

    /** Hard links (a copy across file systems) into a temp dir renamed into place: no second copy of the weights. */
    static void linkTree(Path from, Path to) throws IOException {
        Path tmp = to.resolveSibling("." + to.getFileName() + ".tmp");
        StepStore.deleteRecursively(tmp);
        Files.createDirectories(tmp);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Path target = tmp.resolve(f.getFileName());
                try {
                    Files.createLink(target, f);
                } catch (IOException | UnsupportedOperationException e) {
                    if (e instanceof FileAlreadyExistsException) {
                        throw (IOException) e;
                    }
                    Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        StepStore.deleteRecursively(to);
        Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE);
    }
}
