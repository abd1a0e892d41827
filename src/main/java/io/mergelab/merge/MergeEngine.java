package io.mergelab.merge;

import io.mergelab.merge.recipe.MergeRecipe;
import io.mergelab.merge.recipe.RecipeParser;
import io.mergelab.merge.recipe.RecipeYaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Entry point: plan and run a typed recipe (single or staged), parsed from a file or built in code. In a staged
 * recipe every stage but the last is written to a scratch directory beside OUT (deleted afterwards) and can be
 * named as a model by later stages; the last stage is written to OUT, with the recipe as
 * {@code mergekit_config.yml}: the file's text for a parsed recipe, else the recipe written out ({@link RecipeYaml}).
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
        return new MergePlanner(registry, new ModelResolver(folder(recipe))).plan(recipe, seed);
    }

    /** Runs one recipe into {@code out}. */
    public Path run(MergeRecipe recipe, Path out, long seed, MergeRunner.Options opt) throws IOException {
        return run(List.of(recipe), out, seed, opt);
    }

    /** Parses a recipe file (single or staged) and runs it: what {@code mergelab merge RECIPE.yml OUT} does. */
    public Path run(Path recipeFile, Path out, long seed, MergeRunner.Options opt) throws IOException {
        return run(RecipeParser.parseStages(recipeFile), out, seed, opt);
    }

    /** Runs the stages in order; relative model paths are resolved against the first stage's file's folder. */
    public Path run(List<MergeRecipe> stages, Path out, long seed, MergeRunner.Options opt) throws IOException {
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("no stages");
        }
        if (stages.stream().anyMatch(s -> s.yaml() == null)) {
            // built in code: the artifact is the whole recipe written out, as a staged file's text is for each stage
            String text = RecipeYaml.write(stages);
            stages = stages.stream().map(s -> s.yaml() == null ? s.withYaml(text) : s).toList();
        }
        ModelResolver resolver = new ModelResolver(folder(stages.get(0)));
        Path abs = out.toAbsolutePath().normalize();
        Path scratch = null;
        try {
            for (int i = 0; i < stages.size(); i++) {
                MergeRecipe r = stages.get(i);
                MergePlan plan = new MergePlanner(registry, resolver).plan(r, seed);
                if (i == stages.size() - 1) {
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

    private static Path folder(MergeRecipe r) {
        return r.file() == null ? Path.of(".") : r.file().toAbsolutePath().getParent();
    }
}
