package io.mergelab.pipeline;

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
 * taken with its labels from the fine-tuned classifier of that task.
 */
final class HeadSwap {
    private HeadSwap() {
    }

    static void compose(Path merged, Path headSource, Path out) throws IOException {
        CheckpointDir body = CheckpointDir.open(merged);
        CheckpointDir head = CheckpointDir.open(headSource);
        List<FloatTensor> tensors = new ArrayList<>();
        for (String name : body.tensorNames()) {
            String canonical = Gpt2TensorNames.canonical(name);
            if (!canonical.equals("score.weight") && !canonical.startsWith("heads/")) {
                tensors.add(body.readCanonical(canonical));
            }
        }
        tensors.add(head.readCanonical("score.weight"));
        Gpt2Config headConfig = head.config();
        int pad = headConfig.padTokenId() != null ? headConfig.padTokenId() : Gpt2Config.GPT2_EOS;
        Gpt2Config config = body.config().withClassification(headConfig.labelList(), pad);
        Path tokenizer = head.tokenizerJson().map(Path::getParent).orElse(null);
        CheckpointWriter.write(out, config, tensors, tokenizer, true);
    }
}
