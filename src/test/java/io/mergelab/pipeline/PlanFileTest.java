package io.mergelab.pipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** plan.json records the planner version; a study folder another version planned is refused, not mixed into. */
class PlanFileTest {
    @TempDir
    Path tmp;

    /** A study folder as planner version 1 left it: plan.json without a version, two finished steps. */
    private Path oldStudy() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("outputs/synthetic"));
        Files.writeString(dir.resolve(StepStore.PLAN), "{\"study\": \"synthetic\", \"steps\": []}");
        for (String id : List.of("data-0123456789ab", "finetune-0123456789ab")) {
            Files.createDirectories(dir.resolve(id));
            Files.writeString(dir.resolve(id).resolve(StepStore.DONE), "{}");
        }
        return dir;
    }

    @Test
    void aRunIntoAFolderAnotherPlannerVersionPlannedStopsWithOneLineSayingWhatToDo() throws Exception {
        Path dir = oldStudy();
        StepStore store = new StepStore(dir);
        Plan plan = SyntheticStudy.plan(0, null);
        for (LocalExecutor exec : List.of(new LocalExecutor(1), new LocalExecutor(1, true))) { // --only too
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> exec.execute(plan, store, new StepListener() { }));
            assertEquals(dir + " was planned by an older mergelab (planner version 1, this one plans version "
                    + StudyPlanner.VERSION + " with other step ids), so none of its 2 finished steps would be reused: "
                    + "move the folder away to keep its results, or delete it, then run again", e.getMessage());
        }
        try (var entries = Files.list(dir)) {
            assertEquals(2, entries.filter(Files::isDirectory).count(), "nothing ran, nothing was written");
        }
        assertTrue(Files.readString(dir.resolve(StepStore.PLAN)).contains("\"steps\": []"), "plan.json untouched");
        assertThrows(IllegalStateException.class, () -> PlanFile.write(plan, store), "Slurm submissions too");
        assertTrue(PlanPrinter.describe(plan, store, false).lines().anyMatch(l -> l.startsWith("  note: " + dir
                + " was planned by an older mergelab")), "--dry-run and validate say it too");
    }

    @Test
    void aNewerPlannersFolderIsRefusedTooAndAFreshOrCurrentOneIsNot() throws Exception {
        Path dir = oldStudy();
        Files.writeString(dir.resolve(StepStore.PLAN), "{\"study\": \"s\", \"planner_version\": "
                + (StudyPlanner.VERSION + 1) + ", \"steps\": []}");
        assertTrue(PlanFile.versionProblem(dir).contains("was planned by a newer mergelab"));

        Path fresh = tmp.resolve("outputs/fresh");
        assertNull(PlanFile.versionProblem(fresh));
        Plan plan = SyntheticStudy.plan(0, null);
        StepStore store = new StepStore(fresh);
        assertTrue(new LocalExecutor(1).execute(plan, store, new StepListener() { }).ok());
        assertEquals(StudyPlanner.VERSION, PlanFile.read(fresh).path(PlanFile.VERSION).asInt());
        assertEquals(StudyPlanner.VERSION, store.readJson(plan.steps().get(0).id(), StepStore.STEP)
                .path(PlanFile.VERSION).asInt(), "each step records the version of its id");
        assertNull(PlanFile.versionProblem(fresh));
        RunSummary again = new LocalExecutor(1).execute(plan, store, new StepListener() { });
        assertEquals(List.of(), again.ran(), "a rerun of the same version does no work");
    }
}
