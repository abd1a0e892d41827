package io.mergelab.pipeline;

import java.nio.file.Path;

/**
 * The merge engine as the pipeline needs it: a mergekit recipe file (model paths absolute) in, a merged
 * checkpoint directory out. {@link #engine()} is the real one ({@link io.mergelab.merge.MergeEngine}).
 */
@FunctionalInterface
public interface Merger {
    void merge(Path recipeFile, Path outDir, long seed) throws Exception;

    static Merger engine() {
        return (recipe, out, seed) -> io.mergelab.merge.MergeEngine.withDefaultMethods().run(recipe, out, seed,
                io.mergelab.merge.MergeRunner.Options.defaults().withThreads(1).withOverwrite(true));
    }
}
