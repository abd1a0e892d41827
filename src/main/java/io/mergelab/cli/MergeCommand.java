package io.mergelab.cli;

import io.mergelab.merge.MergeEngine;
import io.mergelab.merge.MergeRunner;
import io.mergelab.merge.recipe.RecipeParser;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "merge",
        description = {"Merge checkpoints with a mergekit YAML recipe; mergekit-yaml's options work as they are.",
            "Methods: see below.",
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

    @Option(names = {"--seed", "--random-seed"}, defaultValue = "0", description = "Seed for DARE/DELLA/"
            + "random_select masks (default: ${DEFAULT-VALUE}); output is bit-identical for any --threads.")
    long seed;

    @Option(names = "--overwrite", description = "Replace OUT_DIR if it exists.")
    boolean overwrite;

    @Option(names = "--out-shard-size", paramLabel = "SIZE", defaultValue = "5B", description = "Parameters per "
            + "safetensors shard, as mergekit counts them: 1B, 500M, 100K or a number (default: ${DEFAULT-VALUE}).")
    String shardSize;

    @Option(names = "--copy-tokenizer", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Copy the first model's tokenizer into OUT_DIR (default: on; --no-copy-tokenizer).")
    boolean copyTokenizer;

    @Option(names = "--write-model-card", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Write README.md, the model card (default: on; --no-write-model-card).")
    boolean writeModelCard;

    @Option(names = {"--cuda", "--lazy-unpickle", "--low-cpu-memory", "--allow-crimes", "--trust-remote-code"},
            description = "mergekit's flags, accepted so its command lines run unchanged; each prints a one-line note "
                    + "on what mergelab does instead (streams per tensor on the CPU; checks architectures itself).")
    java.util.List<Boolean> mergekitFlags;

    @Option(names = "--device", paramLabel = "DEVICE", description = "mergekit's --device: accepted; mergelab merges "
            + "on the CPU (its kernels are memory-bound), a one-line note says so.")
    String device;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--no-progress", description = "Do not draw a progress bar.")
    boolean noProgress;

    @Option(names = "--kernels", defaultValue = "java", description = "Element-wise sums of linear / task "
            + "arithmetic / DARE-linear: java (fused loops, default: faster here, see BENCHMARKS.md) or nd4j.")
    String kernels;

    @Override
    public Integer call() throws Exception {
        for (String flag : new String[] {"--cuda", "--lazy-unpickle", "--low-cpu-memory", "--allow-crimes",
                "--trust-remote-code", "--device"}) {
            if (spec.commandLine().getParseResult().hasMatchedOption(flag)) {
                System.err.println("note: " + flag + ": " + switch (flag) {
                    case "--cuda", "--device" -> "mergelab merges on the CPU (streaming, memory-bound kernels)";
                    case "--lazy-unpickle", "--low-cpu-memory" -> "mergelab always streams one tensor at a time";
                    case "--allow-crimes" -> "mergelab checks tensor names and shapes, not architecture names";
                    default -> "mergelab loads no model code, only safetensors/.bin weights";
                });
            }
        }
        MergeRunner.Options opt = MergeRunner.Options.defaults().withOverwrite(overwrite)
                .withMaxShardParams(parameters(shardSize)).withCopyTokenizer(copyTokenizer)
                .withWriteModelCard(writeModelCard);
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
            // the YAML is this command's interface; the engine takes the typed recipe (and writes it beside the weights)
            written = MergeEngine.withDefaultMethods().run(RecipeParser.parseStages(recipe), out, seed, opt);
        } finally {
            if (bar[0] != null) {
                bar[0].close();
            }
        }
        System.out.printf("merged %s into %s in %.1f s%n", recipe, written, (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    /**
     * The help's method list, from the method registry (a plug-in jar's methods included): one line per method with
     * its name in tables and its parameters, replacing the "Methods" placeholder line.
     */
    static void describeMethods(picocli.CommandLine merge) {
        io.mergelab.merge.MethodRegistry registry = io.mergelab.merge.MethodRegistry.load();
        java.util.List<String> lines = new java.util.ArrayList<>();
        for (String line : merge.getCommandSpec().usageMessage().description()) {
            if (line.startsWith("Methods: ")) {
                lines.add("Methods (" + registry.names().size() + "; * required, =default; see "
                        + "docs/merge-methods.md):");
                for (String name : new java.util.TreeSet<>(registry.names())) {
                    io.mergelab.merge.MergeMethod m = registry.get(name);
                    // wrapped here, continuation indented under the text (picocli would wrap to column 0)
                    StringBuilder row = new StringBuilder(String.format(java.util.Locale.ROOT, "  %-17s %s:", name,
                            m.displayName()));
                    for (String p : io.mergelab.merge.MethodsDoc.signature(m).split(" ")) {
                        if (p.isEmpty()) {
                            continue;
                        }
                        if (row.length() + 1 + p.length() > 79) {
                            lines.add(row.toString());
                            row = new StringBuilder(" ".repeat(19));
                        }
                        row.append(' ').append(p);
                    }
                    lines.add(row.toString());
                }
            } else {
                lines.add(line);
            }
        }
        merge.getCommandSpec().usageMessage().description(lines.toArray(String[]::new));
    }

    /** mergekit's parse_kmb: a number with an optional K, M or B suffix (thousand, million, billion). */
    static long parameters(String size) {
        String s = size.strip().toUpperCase(java.util.Locale.ROOT);
        long factor = switch (s.isEmpty() ? ' ' : s.charAt(s.length() - 1)) {
            case 'K' -> 1_000L;
            case 'M' -> 1_000_000L;
            case 'B' -> 1_000_000_000L;
            default -> 1L;
        };
        try {
            long n = Long.parseLong(factor == 1 ? s : s.substring(0, s.length() - 1).strip());
            if (n > 0) {
                return n * factor;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("--out-shard-size: expected a positive number of parameters such as 5B, "
                + "500M or 100000, got '" + size + "'");
    }
}
