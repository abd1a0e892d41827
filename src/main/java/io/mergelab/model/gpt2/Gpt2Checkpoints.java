package io.mergelab.model.gpt2;

import ai.djl.ndarray.NDManager;
import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.checkpoint.CheckpointFormatException;
import io.mergelab.model.checkpoint.CheckpointWriter;
import io.mergelab.model.checkpoint.FloatTensor;
import io.mergelab.model.checkpoint.Gpt2Config;
import io.mergelab.model.checkpoint.TensorInfo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/** Loads GPT-2 models from Hugging Face checkpoint directories and saves them back. */
public final class Gpt2Checkpoints {
    private Gpt2Checkpoints() {}

    /** The network described by a config.json. */
    public static Gpt2Architecture architecture(Gpt2Config c) {
        return new Gpt2Architecture(c.vocabSize(), c.nPositions(), c.nEmbd(), c.nLayer(), c.nHead(), c.nInner(),
                c.layerNormEpsilon(), c.activationFunction(), c.scaleAttnWeights(), c.scaleAttnByInverseLayerIdx(),
                (float) c.embdPdrop(), (float) c.attnPdrop(), (float) c.residPdrop());
    }

    /** A GPT-2 language model (weights only from the backbone; the LM head is tied to wte). */
    public static Gpt2LmHeadModel loadLanguageModel(CheckpointDir dir, NDManager manager) {
        dir.validateGpt2Shapes();
        Gpt2LmHeadModel model = new Gpt2LmHeadModel(architecture(dir.config()));
        Gpt2Weights.load(model, dir, manager, Map.of(), 0L);
        return model;
    }

    /**
     * A GPT-2 language model with the checkpoint's config passed through {@code configOverride} first
     * (pre-training uses this for dropout overrides); the config is kept for saving.
     */
    public static LoadedLanguageModel loadLanguageModel(CheckpointDir dir, NDManager manager,
            UnaryOperator<Gpt2Config> configOverride) {
        dir.validateGpt2Shapes();
        Gpt2Config config = configOverride.apply(dir.config());
        Gpt2LmHeadModel model = new Gpt2LmHeadModel(architecture(config));
        Gpt2Weights.load(model, dir, manager, Map.of(), 0L);
        return new LoadedLanguageModel(model, config);
    }

    /** Writes a language model as a GPT2LMHeadModel directory (lm_head tied, so not stored), atomically. */
    public static void saveLanguageModel(LoadedLanguageModel lm, Path tokenizerSource, Path out, boolean overwrite)
            throws IOException {
        CheckpointWriter.write(out, lm.config().withArchitecture("GPT2LMHeadModel"), Gpt2Weights.export(lm.model()),
                tokenizerSource, overwrite);
    }

    /**
     * A sequence classifier. If the checkpoint has a {@code score} head it is used, and {@code labels}
     * must be empty or agree with it; otherwise a new head for {@code labels} (or the config's labels
     * when empty) is initialised from {@code seed}. Padding is the config's pad_token_id, else eos.
     */
    public static LoadedClassifier loadClassifier(CheckpointDir dir, NDManager manager, List<String> labels, long seed) {
        return loadClassifier(dir, manager, labels, seed, UnaryOperator.identity());
    }

    /**
     * As {@link #loadClassifier(CheckpointDir, NDManager, List, long)}, with the checkpoint's config passed
     * through {@code configOverride} first (fine-tuning uses this for dropout overrides).
     */
    public static LoadedClassifier loadClassifier(CheckpointDir dir, NDManager manager, List<String> labels, long seed,
            UnaryOperator<Gpt2Config> configOverride) {
        dir.validateGpt2Shapes();
        Gpt2Config config = configOverride.apply(dir.config());
        Optional<TensorInfo> score = dir.tensorByCanonicalName("score.weight");
        List<String> resolved;
        if (score.isPresent()) {
            int n = Math.toIntExact(score.get().shape()[0]);
            resolved = config.labelList();
            if (!labels.isEmpty() && labels.size() != n) {
                throw new CheckpointFormatException(dir.path(), "score.weight", "the checkpoint's head has " + n
                        + " labels but " + labels.size() + " were asked for " + labels
                        + "; fine-tune from a checkpoint without a score head to change the label space");
            }
            if (!labels.isEmpty()) {
                resolved = labels;
            }
        } else {
            resolved = labels.isEmpty() ? config.labelList() : labels;
        }
        int padId = config.padTokenId() != null ? config.padTokenId() : config.eosTokenId();
        Gpt2Config classifierConfig = config.withClassification(resolved, padId);
        Gpt2SequenceClassifier model = new Gpt2SequenceClassifier(architecture(classifierConfig), padId);
        Gpt2Weights.load(model, dir, manager,
                Map.of("score.weight", new long[] {resolved.size(), classifierConfig.nEmbd()}), seed);
        return new LoadedClassifier(model, classifierConfig, dir.path());
    }

    /** Writes a classifier as a GPT2ForSequenceClassification directory, atomically. */
    public static void saveClassifier(LoadedClassifier classifier, Path tokenizerSource, Path out, boolean overwrite)
            throws IOException {
        CheckpointWriter.write(out, classifier.config().withArchitecture("GPT2ForSequenceClassification"),
                Gpt2Weights.export(classifier.model()), tokenizerSource, overwrite);
    }

    /**
     * A classifier built from weights in memory (canonical names, e.g. the output of an in-memory merge);
     * {@code config} must describe the classifier (labels, pad id), {@code score.weight} must be present.
     */
    public static LoadedClassifier classifierFromTensors(Gpt2Config config, Map<String, FloatTensor> byCanonicalName,
            NDManager manager) {
        int padId = config.padTokenId() != null ? config.padTokenId() : config.eosTokenId();
        Gpt2Config classifierConfig = config.withClassification(config.labelList(), padId);
        Gpt2SequenceClassifier model = new Gpt2SequenceClassifier(architecture(classifierConfig), padId);
        Gpt2Weights.load(model, byCanonicalName, manager);
        return new LoadedClassifier(model, classifierConfig, null);
    }

    /** Overwrites a loaded classifier's weights in place (same shapes), so candidates reuse one model. */
    public static void replaceWeights(LoadedClassifier classifier, Map<String, FloatTensor> byCanonicalName,
            NDManager manager) {
        Gpt2Weights.load(classifier.model(), byCanonicalName, manager);
    }

    /** Labels LABEL_0 … LABEL_{n-1}, transformers' default names. */
    public static List<String> defaultLabels(int n) {
        return IntStream.range(0, n).mapToObj(i -> "LABEL_" + i).toList();
    }

    /** A language model with the config it should be saved with. */
    public record LoadedLanguageModel(Gpt2LmHeadModel model, Gpt2Config config) {}

    /** A classifier with the config it should be saved with. */
    public record LoadedClassifier(Gpt2SequenceClassifier model, Gpt2Config config, Path source) {}
}
