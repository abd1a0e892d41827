package io.mergelab.cli;

import io.mergelab.model.hub.HubException;
import io.mergelab.model.hub.ModelResolver;

import java.nio.file.Path;

/**
 * A command's model argument: a checkpoint directory, or a hub id ({@code org/name[@rev]}) found in the Hugging Face
 * cache, downloaded into it when the hub may be used (HF_HUB_OFFLINE unset). One resolver for every command.
 */
final class ModelArgument {
    private ModelArgument() {
    }

    /** The checkpoint directory {@code reference} names; errors start with {@code option}. */
    static Path resolve(String reference, String option) {
        try {
            return ModelResolver.fromEnvironment().resolve(reference);
        } catch (HubException e) {
            throw new HubException(option + " " + reference + ": " + e.getMessage(), e);
        }
    }
}
