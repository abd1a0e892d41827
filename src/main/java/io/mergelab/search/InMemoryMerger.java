package io.mergelab.search;

import io.mergelab.merge.MergeEngine;
import io.mergelab.merge.InputTensors;
import io.mergelab.merge.MergePlan;
import io.mergelab.merge.MergeRunner;
import io.mergelab.merge.PlannedTensor;
import io.mergelab.merge.recipe.MergeRecipe;
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
 * applies) and {@link MergeRunner#mergeInMemory} computes each tensor exactly as a merge to disk does. Input tensors are read once and kept, so memory is the inputs plus one merged model, whatever
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
    private final Map<String, float[]> inputs = new HashMap<>();
    private final InputTensors cached = new CachedInputs();

    InMemoryMerger(MergeEngine engine) {
        this.engine = engine;
    }

    Merged merge(MergeRecipe recipe, long seed) {
        MergePlan plan = engine.plan(recipe, seed);
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        MergeRunner.mergeInMemory(plan, cached).forEach((name, t) -> out.put(Gpt2TensorNames.canonical(name),
                t.withName(Gpt2TensorNames.canonical(name))));
        return new Merged(plan.outputConfig(), out, plan.tokenizerDir());
    }

    /** Inputs read once and kept: every candidate merges the same tensors with different parameters. */
    private final class CachedInputs implements InputTensors {
        @Override
        public float[] read(PlannedTensor.Input i) {
            String key = i.model().dir().path().toAbsolutePath() + "\0" + i.info().name();
            return inputs.computeIfAbsent(key, k -> i.model().dir().readFloat32(i.info()));
        }

        @Override
        public boolean disposable() {
            return false;
        }
    }
}
