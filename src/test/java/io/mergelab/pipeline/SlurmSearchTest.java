package io.mergelab.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mergelab.config.StudyConfig;
import io.mergelab.slurm.StudySubmission;
import io.mergelab.slurm.SubmissionRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A study's search on the real cluster of {@code bin/slurm-local start}: the whole search is one Slurm job. */
@Tag("slurm")
@Tag("slow")
class SlurmSearchTest {

    private static final String CONFIG = """
            name: searched_slurm
            seed: 42
            base_model: {preset: tiny}
            datasets: [yelp]
            variants:
              - {dataset: yelp, count: 2, split: disjoint, name: "yelp_{i}"}
            training_args: {learning_rate: 5.0e-4, num_train_epochs: 1, max_steps: 2, per_device_train_batch_size: 8,
                            per_device_eval_batch_size: 64, max_length: 32, eval_strategy: "no"}
            search:
              name: tune
              merge: {method: task_arithmetic, base_model: base, models: [yelp_0, yelp_1]}
              free: [{param: weight, min: 0.0, max: 1.5}]
              objective: {metric: accuracy, datasets: [yelp]}
              budget: {candidates: 3}
              strategy: cmaes
              eval: {batch_size: 64, max_length: 32}
            evaluate:
              splits: [test]
              baselines: {variants: false, ensemble: false, stacker: false}
            executor: {kind: slurm, parallelism: 2, slurm: {time: "10", cpus_per_task: 1, wait_hours: 0.2}}   # 12 min: the cluster is shared by the machine
            tracking: {enabled: false}
            report: {metric: accuracy, split: test, plots: false}
            """;

    private final List<StudySubmission> submissions = new ArrayList<>();

    @AfterEach
    void cancelLeftovers() {
        submissions.forEach(StudySubmission::cancelAll);
    }

    @Test
    void theSearchIsOneJobAndItsBestModelIsEvaluated() throws Exception {
        Path dir = Files.createDirectories(Path.of("target/slurm-tests").toAbsolutePath()
                .resolve("search-" + Long.toString(System.nanoTime(), 36)));
        Path config = Files.writeString(dir.resolve("searched_slurm.yaml"), CONFIG);
        Studies studies = Studies.standard(Path.of("").toAbsolutePath());
        StudyConfig study = studies.load(config, List.of());
        Plan plan = studies.plan(study);
        Path outputs = dir.resolve("outputs");
        StepStore store = new StepStore(Studies.studyDir(outputs, study));
        SlurmExecutor slurm = SlurmExecutor.forStudy(study, new SlurmExecutor.Invocation(config, List.of(), outputs),
                Path.of("").toAbsolutePath(), SlurmExecutorTest.clusterEnv(), w -> System.err.println("warning: " + w));
        RunSummary r;
        try {
            r = slurm.execute(plan, store, new StepListener() { });
        } finally { // jobs still queued when the executor gave up are cancelled after the test
            if (Files.isDirectory(store.root().resolve("slurm-jobs"))) {
                SubmissionRecord rec = SubmissionRecord.read(store.root());
                submissions.add(StudySubmission.attach(io.mergelab.slurm.SlurmClients.fromEnvironment(
                        SlurmExecutorTest.clusterEnv(), w -> { }), rec.stageJobs(), rec.tasks()));
            }
        }
        assertTrue(r.ok(), r.failures() + " " + r.blocked());

        Step search = plan.steps().stream().filter(s -> s.kind().equals("search")).findFirst().orElseThrow();
        SubmissionRecord record = SubmissionRecord.read(store.root());
        List<StudySubmission.TaskRef> tasks = record.tasks().values().stream()
                .filter(t -> t.stepId().equals(search.id())).toList();
        assertEquals(1, tasks.size(), record.tasks().toString());
        assertEquals(1, record.tasks().values().stream().filter(t -> t.stage().equals(tasks.get(0).stage())).count(),
                "the search's stage holds the search alone");
        assertTrue(Files.readString(store.dir(search.id()).resolve(StepStore.SLURM_JOB))
                .contains("job_id=" + tasks.get(0).jobId()));
        JsonNode summary = new ObjectMapper().readTree(store.dir(search.id()).resolve("search_summary.json").toFile());
        assertEquals(3, summary.get("candidates").asInt());
        assertTrue(Files.isRegularFile(store.dir(search.id()).resolve("best_config.yaml")));
        String csv = Files.readString(store.root().resolve("report/results.csv"));
        assertTrue(csv.contains("tune"), csv);
    }
}
