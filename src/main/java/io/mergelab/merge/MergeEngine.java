package io.mergelab.merge;

import io.mergelab.merge.recipe.MergeRecipe;
import io.mergelab.merge.recipe.RecipeParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Entry point: parse a recipe file (single or staged), plan, and run. In a staged file every stage but
 * the last is written to a scratch directory beside OUT (deleted afterwards) and can be named as a
 * model by later stages; the last stage is written to OUT.
 */
public final class MergeEngine {
    private final MethodRegistry registry;

    public MergeEngine(MethodRegistry registry) {
        this.registry = registry;
    }

    public static MergeEngine withDefaultMethods() {
        return new MergeEngine(MethodRegistry.load());
    }

    /** Plans every stage without running anything (all recipe errors surface here). */
    public MergePlan plan(MergeRecipe recipe, long seed) {
        Path dir = recipe.file() == null ? Path.of(".") : recipe.file().toAbsolutePath().getParent();
        return new MergePlanner(registry, new ModelResolver(dir)).plan(recipe, seed);
    }

    public Path run(Path recipeFile, Path out, long seed, MergeRunner.Options opt) throws IOException {
        List<MergeRecipe> stages = RecipeParser.parseStages(recipeFile);
        ModelResolver resolver = new ModelResolver(recipeFile.toAbsolutePath().getParent());
        Path abs = out.toAbsolutePath().normalize();
        Path scratch = null;
        try {
            for (int i = 0; i < stages.size(); i++) {
                MergeRecipe r = stages.get(i);
                MergePlan plan = new MergePlanner(registry, resolver).plan(r, seed);
                boolean last = i == stages.size() - 1;
                if (last) {
                    return new MergeRunner().run(plan, abs, opt);
                }
                if (scratch == null) {
                    Files.createDirectories(abs.getParent());
                    scratch = Files.createTempDirectory(abs.getParent(), "." + abs.getFileName() + ".stages-");
                }
                Path stageOut = scratch.resolve(r.name());
                new MergeRunner().run(plan, stageOut, opt.withOverwrite(true));
                resolver.define(r.name(), stageOut);
            }
            throw new IllegalStateException("no stages");
        } finally {
            if (scratch != null) {
                MergeRunner.deleteRecursively(scratch);
            }
        }
    }
}
