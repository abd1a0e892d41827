package io.mergelab.pipeline;

import io.mergelab.model.gpt2.Gpt2Factory;
import io.mergelab.model.gpt2.ModelPreset;

import java.nio.file.Path;

/** The pre-trained model every variant starts from: a seeded factory model, or a pointer to a directory. */
record BaseModelAction(String preset, long seed, Path existing, Path tokenizerDir) implements StepAction {
    @Override
    public void run(StepContext ctx) throws Exception {
        if (existing != null) {
            ModelOutputs.writePointer(ctx.workDir(), existing);
            return;
        }
        Gpt2Factory.writeCheckpoint(ModelPreset.parse(preset), seed, ctx.workDir().resolve("model"), tokenizerDir, false);
    }
}
