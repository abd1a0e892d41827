package io.mergelab.merge;

import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.checkpoint.CheckpointWriter;
import io.mergelab.model.checkpoint.FloatTensor;
import io.mergelab.model.checkpoint.Gpt2Config;
import io.mergelab.model.checkpoint.Gpt2TensorNames;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A merged backbone with one task's own head: how a model merged across datasets (different label spaces) is
 * evaluated on each dataset. Writes a checkpoint whose tensors are the merged ones except {@code score.weight},
 * taken with its labels from that task's fine-tuned classifier (the pipeline) or from the copy the merge kept
 * under {@code heads/<name>/} ({@code mergelab eval}).
 */
public final class HeadSwap {
    private HeadSwap() {
    }

    /** The head of the classifier checkpoint {@code headSource}, with its labels, pad id and tokenizer. */
    public static void compose(Path merged, Path headSource, Path out) throws IOException {
        CheckpointDir head = CheckpointDir.open(headSource);
        Gpt2Config headConfig = head.config();
        int pad = headConfig.padTokenId() != null ? headConfig.padTokenId() : Gpt2Config.GPT2_EOS;
        Path tokenizer = head.tokenizerJson().map(Path::getParent).orElse(null);
        write(CheckpointDir.open(merged), head.readCanonical(Gpt2TensorNames.SCORE), headConfig.labelList(), pad,
                tokenizer, out);
    }

    /** A head the merge kept; head.json records no pad id or tokenizer, so the merged checkpoint's are used. */
    public static void compose(Path merged, MergedHead head, Path out) throws IOException {
        CheckpointDir body = CheckpointDir.open(merged);
        Gpt2Config c = body.config();
        int pad = c.padTokenId() != null ? c.padTokenId() : Gpt2Config.GPT2_EOS;
        Path tokenizer = body.tokenizerJson().map(Path::getParent).orElse(null);
        write(body, head.score(), head.labels(), pad, tokenizer, out);
    }

    private static void write(CheckpointDir body, FloatTensor score, List<String> labels, int pad, Path tokenizer,
                              Path out) throws IOException {
        List<FloatTensor> tensors = new ArrayList<>();
        for (String name : body.tensorNames()) {
            String canonical = Gpt2TensorNames.canonical(name);
            if (!canonical.equals(Gpt2TensorNames.SCORE) && !canonical.startsWith(MergedHead.DIR + "/")) {
                tensors.add(body.readCanonical(canonical));
            }
        }
        tensors.add(score);
        Gpt2Config config = body.config().withClassification(labels, pad);
        CheckpointWriter.write(out, config, tensors, tokenizer, true);
    }
}
