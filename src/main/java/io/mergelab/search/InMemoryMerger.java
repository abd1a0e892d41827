package io.mergelab.search;

import io.mergelab.merge.MergeEngine;
import io.mergelab.merge.MergeException;
import io.mergelab.merge.MergePlan;
import io.mergelab.merge.ModelTensor;
import io.mergelab.merge.PlannedTensor;
import io.mergelab.merge.TensorMerge;
import io.mergelab.merge.recipe.MergeRecipe;
import io.mergelab.merge.recipe.RecipeParser;
import io.mergelab.model.checkpoint.FloatTensor;
import io.mergelab.model.checkpoint.Gpt2Config;
import io.mergelab.model.checkpoint.Gpt2TensorNames;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges a recipe into memory instead of a directory: the merge engine plans it (every recipe check
 * applies) and each tensor is computed with the method's per-tensor math, exactly as the engine's runner
 * does. Input tensors are read once and kept, so memory is the inputs plus one merged model, whatever
 * the number of candidates.
 */
final class InMemoryMerger {

    /** A merged model in memory: output config, tensors by canonical name, where tokenizer files are. */
    record Merged(Gpt2Config config, Map<String, FloatTensor> tensors, Path tokenizerDir) {
        List<FloatTensor> list() {
            return new ArrayList<>(tensors.values());
        }
    }

    private final MergeEngine engine;
    private final Path recipeFile;
    private final Map<String, float[]> inputs = new HashMap<>();

    /** @param recipeFile where candidate recipes nominally live (for messages and relative paths) */
    InMemoryMerger(MergeEngine engine, Path recipeFile) {
        this.engine = engine;
        this.recipeFile = recipeFile;
    }

    Merged merge(String recipeYaml, long seed) {
        List<MergeRecipe> stages = RecipeParser.parseStages(recipeFile, recipeYaml);
        MergePlan plan = engine.plan(stages.get(0), seed);
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        for (PlannedTensor t : plan.tensors()) {
            float[] data = compute(plan, t);
            out.put(Gpt2TensorNames.canonical(t.name()), new FloatTensor(Gpt2TensorNames.canonical(t.name()),
                    t.shape(), data));
        }
        return new Merged(plan.outputConfig(), out, plan.tokenizerDir());
    }

    private float[] compute(MergePlan plan, PlannedTensor t) {
        List<ModelTensor> in = new ArrayList<>();
        for (PlannedTensor.Input i : t.inputs()) {
            String key = i.model().dir().path().toAbsolutePath() + "\0" + i.info().name();
            float[] data = inputs.computeIfAbsent(key, k -> i.model().dir().readFloat32(i.info()));
            in.add(new ModelTensor(i.model().ref(), data, i.params()));
        }
        if (t.copy()) {
            return in.get(0).data().clone();
        }
        ModelTensor base = t.baseIndex() >= 0 ? in.get(t.baseIndex()) : null;
        List<ModelTensor> others = new ArrayList<>(in);
        if (base != null) {
            others.remove(t.baseIndex());
        }
        float[] r = plan.method().merge(new TensorMerge(t.name(), t.shape(), List.copyOf(in), base,
                List.copyOf(others), t.global(), t.seed()));
        for (int k = 0; k < r.length; k++) {
            if (!Float.isFinite(r[k])) {
                throw MergeException.at(t.name(), "merge_method " + plan.method().name()
                        + " produced NaN/Inf (first at flat index " + k + ") with parameters " + t.global());
            }
        }
        return r;
    }
}
