package io.mergelab.cli;

import io.mergelab.model.gpt2.Gpt2Factory;
import io.mergelab.model.gpt2.ModelPreset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "init-model",
        description = {"Write a randomly initialised GPT-2 checkpoint (Hugging Face layout, GPT-2 tokenizer).",
            "Seeded: the same preset and seed give a bit-identical model.safetensors on any machine.",
            "Presets: tiny (2 layers, 128 hidden), small (4 layers, 256 hidden), gpt2 (12 layers, 768 hidden: 124M)."},
        mixinStandardHelpOptions = true)
final class InitModelCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    @Option(names = "--preset", defaultValue = "tiny", description = "tiny | small | gpt2 (default: ${DEFAULT-VALUE})")
    String preset;

    @Option(names = "--out", required = true, description = "Directory to create.")
    Path out;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--overwrite", description = "Replace OUT if it already holds files.")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        ModelPreset p = ModelPreset.parse(preset);
        Gpt2Factory.writeCheckpoint(p, seed, out, Paths.tokenizerDir(), overwrite);
        out().printf("wrote %s GPT-2 (%d layers, %d hidden, %d heads, seed %d) to %s%n",
                p.id(), p.nLayer, p.nEmbd, p.nHead, seed, out);
        return 0;
    }
}
