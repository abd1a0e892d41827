package io.mergelab.cli;

import io.mergelab.config.StudyConfig;
import io.mergelab.pipeline.Plan;
import io.mergelab.pipeline.PlanPrinter;
import io.mergelab.pipeline.StepStore;
import io.mergelab.pipeline.Studies;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Checks a study file without running anything and prints its plan. */
@Command(name = "validate",
        description = {"Check a study file (types, ranges, references, files, dataset specs, training arguments,",
            "merge methods) and print its plan; errors are one line with file:line:column."},
        mixinStandardHelpOptions = true)
final class ValidateCommand implements Callable<Integer> {

    @Parameters(paramLabel = "CONFIG", description = "Study YAML.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config value (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--outputs", paramLabel = "DIR", description = "Where study folders go (default: <mergelab>/outputs).")
    Path outputs;

    @Option(names = "--full", description = "Print every input of every step in full.")
    boolean full;

    @Override
    public Integer call() {
        Studies studies = Studies.standard(Paths.home());
        StudyConfig study = studies.load(config, overrides);
        study.notes().forEach(n -> System.err.println("note: " + n));
        Plan plan = studies.plan(study);
        StepStore store = new StepStore(Studies.studyDir(outputs != null ? outputs : Paths.home().resolve("outputs"), study));
        System.out.println(config + ": valid (" + study.datasets().size() + " dataset(s), " + study.variants().size()
                + " variant(s), " + study.merges().size() + " merge(s), " + study.seeds().size() + " seed(s))");
        System.out.print(PlanPrinter.describe(plan, store, full));
        return 0;
    }
}
