package io.mergelab.pipeline;

import io.mergelab.merge.recipe.MergeRecipe;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Runs the merge engine on one typed recipe into {@code model/}; the engine writes the recipe there as
 * {@code mergekit_config.yml} (model paths resolved), which {@code mergekit-yaml} can rerun.
 *
 * @param recipe the recipe with step ids as its model references (the base-model, pre-train or fine-tune steps),
 *               replaced by their checkpoints when the step runs; a study's verbatim mergekit block is parsed into
 *               the same form, so both kinds are identified alike
 * @param seed   the seed of random masks (DARE, DELLA, random_select)
 */
record MergeAction(MergeRecipe recipe, long seed, @NotInStepId Merger merger) implements StepAction {
    @Override
    public void run(StepContext ctx) throws Exception {
        MergeRecipe resolved;
        try {
            resolved = recipe.withModelRefs(ref -> {
                if (!ctx.step().deps().contains(ref)) {
                    return ref; // not a step's model (a path written in a verbatim block)
                }
                try {
                    return ModelOutputs.modelDir(ctx.outputOf(ref)).toString();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        merger.merge(resolved, ctx.workDir().resolve("model"), seed);
    }
}
