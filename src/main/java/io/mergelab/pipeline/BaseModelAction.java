package io.mergelab.pipeline;

import io.mergelab.model.gpt2.Gpt2Factory;
import io.mergelab.model.gpt2.ModelPreset;
import io.mergelab.model.hub.HubException;
import io.mergelab.model.hub.HubModelResolver;
import io.mergelab.model.hub.ModelReference;

import java.nio.file.Path;

/**
 * The pre-trained model every variant starts from: a seeded factory model, a pointer to a directory, or a pointer to
 * a hub model's snapshot in the Hugging Face cache (downloaded here when missing and the hub may be used).
 *
 * @param tokenizerDir the installation's GPT-2 tokenizer, copied beside a factory model
 */
record BaseModelAction(Source source, @NotInStepId Path tokenizerDir) implements StepAction {

    /** Where the base comes from; each kind holds only what decides its weights. */
    sealed interface Source {
    }

    /** A factory model: the preset and the seed of its random weights. */
    record Preset(String preset, long seed) implements Source {
    }

    /**
     * An existing checkpoint directory, pointed at: its path, and a cheap fingerprint of its files (names, sizes,
     * modification times) so new weights in the same place give a new id.
     */
    record Directory(Path path, String fingerprint) implements Source {
    }

    /** A hub model by id@revision, not the commit it resolves to: the id stays when the download happens later. */
    record Hub(ModelReference.HubId id) implements Source {
    }

    @Override
    public void run(StepContext ctx) throws Exception {
        if (source instanceof Hub h) {
            Path snapshot;
            try {
                snapshot = HubModelResolver.fromEnvironment().resolve(h.id());
            } catch (HubException e) {
                throw new HubException("base_model " + h.id() + ": " + e.getMessage()
                        + " (or use base_model: {preset: gpt2} for the architecture with seeded random weights)", e);
            }
            ModelOutputs.writePointer(ctx.workDir(), snapshot);
        } else if (source instanceof Directory d) {
            ModelOutputs.writePointer(ctx.workDir(), d.path());
        } else {
            Preset p = (Preset) source;
            Gpt2Factory.writeCheckpoint(ModelPreset.parse(p.preset()), p.seed(), ctx.workDir().resolve("model"),
                    tokenizerDir, false);
        }
    }
}
