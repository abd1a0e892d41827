package io.mergelab.pipeline;

import io.mergelab.config.StudyConfig;
import io.mergelab.config.StudyConfigParser;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Loads and validates a study file, and plans it: what {@code validate}, {@code run} and Slurm jobs share. */
public final class Studies {
    private final Path home;
    private final StudyPlanner planner;

    /** @param home the installation (mergelab.home): shipped dataset specs, presets and the tokenizer */
    public Studies(Path home, StudyPlanner planner) {
        this.home = home;
        this.planner = planner;
    }

    public static Studies standard(Path home) {
        return new Studies(home, StudyPlanner.standard(home.resolve("data/gpt2-tokenizer")));
    }

    public StudyConfig load(Path file, List<String> overrides) {
        return StudyConfigParser.standard(home).parse(file, overrides);
    }

    public Plan plan(StudyConfig study) {
        return planner.plan(study);
    }

    public static Path studyDir(Path outputs, StudyConfig study) {
        return outputs.resolve(study.name());
    }

    /**
     * After a run: {@code outputs/<study>/report/} shows the report of this plan's report step when that step is
     * done, even if the step ran in an earlier run and another configuration's report was published since.
     */
    public static void publishReport(Plan plan, StepStore store) throws java.io.IOException {
        for (Step s : plan.steps()) {
            if (s.action() instanceof ReportAction && store.isDone(s.id())
                    && Files.isDirectory(store.dir(s.id()).resolve("report"))) {
                ReportAction.publish(store.root(), store.dir(s.id()).resolve("report"), s.id());
            }
        }
    }
}
