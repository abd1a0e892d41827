package io.mergelab.pipeline;

import io.mergelab.merge.recipe.MergeRecipe;

import java.nio.file.Path;

/**
 * The merge engine as the pipeline needs it: a typed recipe (model paths absolute) in, a merged checkpoint
 * directory out, with the recipe written beside the weights as {@code mergekit_config.yml}. {@link #engine()} is
 * the real one ({@link io.mergelab.merge.MergeEngine}).
 */
@FunctionalInterface
public interface Merger {
    void merge(MergeRecipe recipe, Path outDir, long seed) throws Exception;

    static Merger engine() {
        return (recipe, out, seed) -> io.mergelab.merge.MergeEngine.withDefaultMethods().run(recipe, out, seed,
                io.mergelab.merge.MergeRunner.Options.defaults().withThreads(1).withOverwrite(true));
    }
}
