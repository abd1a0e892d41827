package io.mergelab.pipeline;

import io.mergelab.model.gpt2.Gpt2Factory;
import io.mergelab.model.gpt2.ModelPreset;
import io.mergelab.model.hub.HubException;
import io.mergelab.model.hub.HubModelResolver;

import java.nio.file.Path;

/**
 * The pre-trained model every variant starts from: a seeded factory model, a pointer to a directory, or a pointer to
 * a hub model's snapshot in the Hugging Face cache (downloaded here when missing and the hub may be used).
 */
record BaseModelAction(String preset, long seed, Path existing, Path tokenizerDir, String hubId) implements StepAction {
    BaseModelAction(String preset, long seed, Path existing, Path tokenizerDir) {
        this(preset, seed, existing, tokenizerDir, null);
    }

    @Override
    public void run(StepContext ctx) throws Exception {
        if (hubId != null) {
            Path snapshot;
            try {
                snapshot = HubModelResolver.fromEnvironment().resolve(hubId);
            } catch (HubException e) {
                throw new HubException("base_model " + hubId + ": " + e.getMessage()
                        + " (or use base_model: {preset: gpt2} for the architecture with seeded random weights)", e);
            }
            ModelOutputs.writePointer(ctx.workDir(), snapshot);
            return;
        }
        if (existing != null) {
            ModelOutputs.writePointer(ctx.workDir(), existing);
            return;
        }
        Gpt2Factory.writeCheckpoint(ModelPreset.parse(preset), seed, ctx.workDir().resolve("model"), tokenizerDir, false);
    }
}
