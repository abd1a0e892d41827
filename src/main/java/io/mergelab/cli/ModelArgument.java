package io.mergelab.cli;

import io.mergelab.model.hub.HubException;
import io.mergelab.model.hub.ModelReference;
import io.mergelab.model.hub.HubModelResolver;

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
        ModelReference ref = ModelReference.parse(reference);
        try {
            return HubModelResolver.fromEnvironment().resolve(ref);
        } catch (HubException e) {
            // a hub id is also a relative path: say both, so a mistyped directory is recognisable
            String dir = ref instanceof ModelReference.HubId ? "no directory " + reference + "; as a hub id: " : "";
            throw new HubException(option + " " + reference + ": " + dir + e.getMessage(), e);
        }
    }
}
