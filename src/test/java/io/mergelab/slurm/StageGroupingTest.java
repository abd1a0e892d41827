package io.mergelab.slurm;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StageGroupingTest {

    private static StepRef step(String id, String kind, String... deps) {
        return new StepRef(id, kind, List.of(deps), null, List.of("echo " + id));
    }

    @Test
    void stepsOfOneKindShareAnArrayUnlessOneNeedsAnother() {
        StageGrouping.Grouped g = StageGrouping.grouped(List.of(
                step("ft-a", "finetune", "data-done-earlier"), step("ft-b", "finetune"),
                step("m-1", "merge", "ft-a", "ft-b"), step("m-2", "merge", "m-1", "ft-a"),
                step("ev-1", "evaluate", "m-2"), step("ev-2", "evaluate", "ft-a")));
        assertEquals(List.of("finetune", "merge", "merge-2", "evaluate"), g.stages().stream().map(SlurmStage::name).toList());
        assertEquals(List.of(), g.stages().get(0).after(), "a done dependency is satisfied");
        assertEquals(List.of("merge", "finetune"), g.stages().get(2).after());
        assertEquals(List.of("merge-2", "finetune"), g.stages().get(3).after());
        assertEquals(List.of("ev-1", "ev-2"), g.stepIds().get("evaluate"));
    }

    @Test
    void aStageWaitsOnlyForTheParentTasksItsStepsUse() {
        StageGrouping.Grouped g = StageGrouping.grouped(List.of(
                step("ft-0", "finetune"), step("ft-1", "finetune"), step("ft-2", "finetune"),
                step("m-a", "merge", "ft-0", "ft-1"), step("m-b", "merge", "ft-1"),
                step("ev-1", "evaluate", "m-a", "ft-2"), step("ev-2", "evaluate", "ft-0"),
                step("rep", "report", "ev-1", "ev-2", "m-b")));
        SlurmStage merge = g.stages().get(1);
        SlurmStage evaluate = g.stages().get(2);
        SlurmStage report = g.stages().get(3);
        assertEquals(java.util.Map.of("finetune", List.of(0, 1)), merge.afterTasks());
        assertEquals(java.util.Map.of("merge", List.of(0), "finetune", List.of(0, 2)), evaluate.afterTasks());
        assertEquals(java.util.Map.of("merge", List.of(1)), report.afterTasks(), "all of evaluate: the whole array");

        java.util.Map<String, String> ids = java.util.Map.of("finetune", "11", "merge", "12", "evaluate", "13");
        assertEquals(List.of("11_0", "11_1"), merge.afterOkIds(ids::get));
        assertEquals(List.of("12_0", "11_0", "11_2"), evaluate.afterOkIds(ids::get));
        assertEquals(List.of("13", "12_1"), report.afterOkIds(ids::get));
        assertEquals("afterok:13:12_1", JobSpec.builder("r", "#!/bin/bash\n").afterOk(report.afterOkIds(ids::get))
                .build().dependency());
        assertEquals("evaluate, merge[1]", report.describeAfter());

        // submit.sh chains the same ids with shell variables
        String submit = new SbatchRenderer(java.nio.file.Path.of("/opt/mergelab"))
                .submitScript("s", java.nio.file.Path.of("/tmp/s"), g.stages());
        assertTrue(submit.contains("job_merge=$(submit \"$@\" --dependency=afterok:${job_finetune}_0:${job_finetune}_1 "), submit);
        assertTrue(submit.contains("--dependency=afterok:${job_merge}_0:${job_finetune}_0:${job_finetune}_2 "), submit);
        assertTrue(submit.contains("--dependency=afterok:${job_evaluate}:${job_merge}_1 "), submit);
    }

    @Test
    void taskIndicesMustNameAParent() {
        StageTask t = new StageTask(null, List.of("true"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SlurmStage("merge", List.of(t), List.of("finetune"), java.util.Map.of("data", List.of(0))));
        assertEquals("stage merge: needs tasks of 'data', which is not among its parents [finetune]", e.getMessage());
    }

    @Test
    void stepsMustComeAfterTheirDependencies() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StageGrouping.group(List.of(step("m-1", "merge", "ft-a"), step("ft-a", "finetune"))));
        assertEquals("step m-1 is listed before its dependency ft-a", e.getMessage());
    }
}
