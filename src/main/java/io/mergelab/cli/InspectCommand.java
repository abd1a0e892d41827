package io.mergelab.cli;

import io.mergelab.model.checkpoint.CheckpointDir;
import io.mergelab.model.checkpoint.Gpt2Config;
import io.mergelab.model.checkpoint.TensorInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

@Command(name = "inspect",
        description = "Show a checkpoint's config and tensors (name, dtype, shape) without loading any weights.",
        mixinStandardHelpOptions = true)
final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    @Parameters(paramLabel = "DIR|ORG/NAME[@REV]",
            description = "A Hugging Face GPT-2 checkpoint directory, or a hub id from the Hugging Face cache.")
    String dir;

    @Override
    public Integer call() {
        CheckpointDir ckpt = CheckpointDir.open(ModelArgument.resolve(dir, "inspect"));
        Gpt2Config c = ckpt.config();
        out().printf("%s%n  architectures %s, vocab %d, positions %d, layers %d, hidden %d, heads %d, labels %s%n",
                ckpt.path(), c.architectures(), c.vocabSize(), c.nPositions(), c.nLayer(), c.nEmbd(), c.nHead(),
                c.labelList());
        long params = 0;
        for (TensorInfo t : ckpt.tensors()) {
            out().printf("  %-40s %-5s %s%n", t.name(), t.dtype(), t.shapeString());
            params += t.numel();
        }
        out().printf("  %d tensors, %,d parameters%n", ckpt.tensors().size(), params);
        ckpt.validateGpt2Shapes();
        return 0;
    }
}
