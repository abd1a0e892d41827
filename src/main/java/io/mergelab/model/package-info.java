/** GPT-2 in DJL and everything about checkpoints on disk: safetensors, Hugging Face config.json, tokenizer, the small-model factory. Knows nothing of training, merging or studies. */
package io.mergelab.model;
