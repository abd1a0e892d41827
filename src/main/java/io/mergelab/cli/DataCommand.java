package io.mergelab.cli;

import io.mergelab.data.DatasetSpec;
import io.mergelab.data.DatasetSplits;
import io.mergelab.data.DatasetStats;
import io.mergelab.data.Datasets;
import io.mergelab.data.Example;
import io.mergelab.model.gpt2.Gpt2Tokenizer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

@Command(name = "data",
        description = {"Look at datasets as a spec (configs/datasets/*.yaml) prepares them.",
            "  mergelab data stats configs/datasets/yelp.yaml [--tokenizer DIR | --tokens]",
            "  mergelab data preview configs/datasets/drugs.yaml"},
        mixinStandardHelpOptions = true,
        subcommands = {DataCommand.Stats.class, DataCommand.Preview.class})
final class DataCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: stats or preview");
    }

    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = {"Print split sizes, class balance and word (and token) length statistics as Markdown:",
                "one summary row per dataset (as the seed study's table), then each dataset per split."})
    static final class Stats implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "SPEC", description = "Dataset spec files (YAML).")
        List<Path> specs;

        @Option(names = "--tokenizer", paramLabel = "DIR",
                description = "Also count tokens, with the tokenizer.json in DIR (a checkpoint or tokenizer directory).")
        Path tokenizer;

        @Option(names = "--tokens", description = "Also count tokens with the shipped GPT-2 tokenizer (data/gpt2-tokenizer).")
        boolean shippedTokenizer;

        @Option(names = "--seed", defaultValue = "42", description = "Split seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--summary", description = "Only the summary table.")
        boolean summaryOnly;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<DatasetStats> stats = new ArrayList<>();
            Path dir = tokenizer != null ? tokenizer : shippedTokenizer ? Paths.tokenizerDir() : null;
            // pad id is irrelevant for counting; 50256 is GPT-2's eos
            Gpt2Tokenizer tok = dir == null ? null : Gpt2Tokenizer.open(dir, 50256);
            try {
                Function<String, Integer> counter = tok == null ? null : text -> tok.encode(text).length;
                for (Path p : specs) {
                    DatasetSplits splits = Datasets.prepare(DatasetSpec.load(p), seed);
                    stats.add(DatasetStats.of(splits, counter));
                }
            } finally {
                if (tok != null) {
                    tok.close();
                }
            }
            out.println(DatasetStats.summaryTable(stats));
            if (!summaryOnly) {
                for (DatasetStats s : stats) {
                    out.println(s.toMarkdown());
                }
            } else {
                stats.stream().map(DatasetStats::emptyTextNote).filter(java.util.Objects::nonNull)
                        .forEach(out::println);
            }
            out.println("Words: whitespace-separated; std: sample (ddof 1); split seed " + seed
                    + (dir != null ? "; tokens: " + dir + " (no special tokens)." : "."));
            out.flush();
            return 0;
        }
    }

    @Command(name = "preview", mixinStandardHelpOptions = true,
            description = "Show how a spec reads its data: label space, split sizes and a few mapped examples.")
    static final class Preview implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "SPEC", description = "Dataset spec file (YAML).")
        Path specFile;

        @Option(names = {"-n", "--count"}, defaultValue = "5", description = "Examples to show (default: ${DEFAULT-VALUE}).")
        int count;

        @Option(names = "--split", defaultValue = "train", description = "train, validation, test or all (default: ${DEFAULT-VALUE}).")
        String split;

        @Option(names = "--seed", defaultValue = "42", description = "Split seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--full", description = "Print whole texts (default: cut at 200 characters).")
        boolean full;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            DatasetSpec ds = DatasetSpec.load(specFile);
            Datasets.LoadedFile pool = Datasets.read(ds);
            DatasetSplits s = Datasets.prepare(ds, seed);
            out.println(ds);
            out.printf("%s: %d rows read, %d dropped by filters, %d examples%n", pool.file(), pool.rowsRead(),
                    pool.filteredOut(), pool.examples().size());
            out.printf("split (seed %d): train %d %s, validation %d %s, test %d %s%n", seed,
                    s.train().size(), Arrays.toString(s.classCounts(s.train())),
                    s.validation().size(), Arrays.toString(s.classCounts(s.validation())),
                    s.test().size(), Arrays.toString(s.classCounts(s.test())));
            List<Example> examples = s.split(split);
            for (int i = 0; i < Math.min(count, examples.size()); i++) {
                Example e = examples.get(i);
                String text = e.text().replace("\r", "").replace("\n", "\\n");
                if (!full && text.length() > 200) {
                    text = text.substring(0, 197) + "...";
                }
                out.printf("%s[%d]  %d=%s  | %s%n", split, i, e.label(), s.labels().get(e.label()), text);
            }
            out.flush();
            return 0;
        }
    }
}
