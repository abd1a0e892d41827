package io.mergelab.slurm;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
    void stepsMustComeAfterTheirDependencies() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StageGrouping.group(List.of(step("m-1", "merge", "ft-a"), step("ft-a", "finetune"))));
        assertEquals("step m-1 is listed before its dependency ft-a", e.getMessage());
    }
}
