/**
 * Model references and the Hugging Face hub cache: parse {@code org/name@rev} or a local directory
 * ({@link io.mergelab.model.hub.ModelReference}), resolve it to a checkpoint directory
 * ({@link io.mergelab.model.hub.HubModelResolver}), downloading missing files into the standard cache layout
 * exactly as huggingface_hub writes it, so Python tools and mergelab share one cache.
 */
package io.mergelab.model.hub;
