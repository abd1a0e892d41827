package io.mergelab.cli;

import io.mergelab.merge.MergeEngine;
import io.mergelab.merge.MergeRunner;
import io.mergelab.model.checkpoint.CheckpointWriter;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "merge",
        description = {"Merge checkpoints with a mergekit YAML recipe (linear, task_arithmetic, ties, dare_ties,",
            "dare_linear, breadcrumbs, breadcrumbs_ties, della, slerp, model_stock, passthrough, random_select).",
            "Streams tensor by tensor; OUT_DIR appears only when the merge succeeded.",
            "A model may be a directory or a hub id (org/name[@rev]) from the Hugging Face cache (HF_HUB_CACHE)."},
        mixinStandardHelpOptions = true)
final class MergeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "RECIPE.yml", description = "mergekit recipe (optionally with stages:).")
    Path recipe;

    @Parameters(index = "1", paramLabel = "OUT_DIR", description = "Output checkpoint directory.")
    Path out;

    @Option(names = "--threads", description = "Tensors merged in parallel (default: min(4, cores)).")
    Integer threads;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for DARE/DELLA/random_select masks "
            + "(default: ${DEFAULT-VALUE}); output is bit-identical for any --threads.")
    long seed;

    @Option(names = "--overwrite", description = "Replace OUT_DIR if it exists.")
    boolean overwrite;

    @Option(names = "--out-shard-size", defaultValue = "5000000000",
            description = "Max bytes per safetensors shard (default: ${DEFAULT-VALUE}).")
    long shardBytes;

    @Option(names = "--no-progress", description = "Do not draw a progress bar.")
    boolean noProgress;

    @Option(names = "--kernels", defaultValue = "java", description = "Element-wise sums of linear / task "
            + "arithmetic / DARE-linear: java (fused loops, default: faster here, see BENCHMARKS.md) or nd4j.")
    String kernels;

    @Override
    public Integer call() throws Exception {
        MergeRunner.Options opt = MergeRunner.Options.defaults().withOverwrite(overwrite)
                .withMaxShardBytes(shardBytes > 0 ? shardBytes : CheckpointWriter.DEFAULT_MAX_SHARD_BYTES);
        if (threads != null) {
            opt = opt.withThreads(threads);
        }
        opt = opt.withKernels(io.mergelab.merge.ElementwiseKernels.named(kernels));
        ProgressBar[] bar = new ProgressBar[1];
        if (!noProgress) {
            opt = opt.withListener(new MergeRunner.Listener() {
                @Override
                public void started(int tensors) {
                    if (bar[0] != null) {
                        bar[0].close();
                    }
                    bar[0] = new ProgressBarBuilder().setTaskName("merge").setInitialMax(tensors)
                            .setStyle(ProgressBarStyle.ASCII).setConsumer(
                                    new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                            .setUnit(" tensors", 1).build();
                }

                @Override
                public void tensorWritten(String name) {
                    bar[0].step();
                }
            });
        }
        long t0 = System.nanoTime();
        Path written;
        try {
            written = MergeEngine.withDefaultMethods().run(recipe, out, seed, opt);
        } finally {
            if (bar[0] != null) {
                bar[0].close();
            }
        }
        System.out.printf("merged %s into %s in %.1f s%n", recipe, written, (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
