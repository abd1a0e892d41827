package io.mergelab.cli;

import picocli.CommandLine;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Entry point of {@code bin/mergelab}. */
@Command(name = "mergelab",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Fine-tune GPT-2 classifiers on review datasets, merge them (mergekit-",
            "compatible), evaluate, track in MLflow; run locally or on Slurm.",
            "",
            "Start here:  bin/mergelab run configs/quickstart.yaml   (random-weight base, a few minutes)",
            "Then:  bin/fetch-corpus imdb && bin/mergelab run configs/quickstart_pretrained.yaml   (pre-trained base)"},
        subcommands = {
            RunCommand.class,
            ValidateCommand.class,
            ReportCommand.class,
            CompareCommand.class,
            InitModelCommand.class,
            InspectCommand.class,
            ClassifyCommand.class,
            MergeCommand.class,
            AnalyzeCommand.class,
            FetchModelCommand.class,
            DataCommand.class,
            FinetuneCommand.class,
            PretrainCommand.class,
            EvalCommand.class,
            SyncCommand.class,
            UiCommand.class,
            SlurmCommand.class,
            StatusCommand.class,
            CancelCommand.class,
            RetryCommand.class,
            SearchCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class},
        footer = {"", "Run 'mergelab help COMMAND' or 'mergelab COMMAND --help' for a command's options."})
public final class Main implements Runnable {

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Print full stack traces on errors.")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns the exit code (0 ok, 1 error, 2 usage); tests call this directly. */
    public static int execute(String... args) {
        return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** As {@link #execute(String...)}, printing to the given writers. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean debug = parseResult.hasMatchedOption("--debug")
                    || parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--debug"));
            if (debug) {
                e.printStackTrace(commandLine.getErr());
            } else {
                commandLine.getErr().println("mergelab: error: " + ErrorMessages.describe(e));
            }
            return 1;
        });
        MergeCommand.describeMethods(cli.getSubcommands().get("merge"));
        // a mistyped option or argument: one line naming it and where the help is, not the whole usage text
        cli.setParameterExceptionHandler((e, commandArgs) -> {
            CommandLine c = e.getCommandLine();
            String name = c.getCommandSpec().qualifiedName();
            c.getErr().println(name + ": error: " + e.getMessage() + " (see '" + name + " --help')");
            return c.getCommandSpec().exitCodeOnInvalidInput();
        });
        return cli.execute(args);
    }
}
