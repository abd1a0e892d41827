package io.mergelab.pipeline;

import io.mergelab.train.TrainingArgs;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a record stands for in a step id: its declared fields, in one canonical form. */
class CanonicalTest {
    sealed interface Shape {
    }

    record Dot(double size) implements Shape {
    }

    record Blob(double size) implements Shape {
    }

    record Job(String name, int count, float ratio, Optional<String> note, Shape shape, Set<String> tags,
               @NotInStepId Path scratch, @NotInStepId int threads) {
    }

    private static Job job(int count, Path scratch, int threads) {
        return new Job("a", count, 0.5f, Optional.empty(), new Dot(1), Set.of("y", "x", "z"), scratch, threads);
    }

    @Test
    void recordsBecomeSortedSnakeCaseMapsWithoutTheMarkedFieldsAndWithoutNulls() throws Exception {
        Map<String, Object> tree = Canonical.identityMap(job(3, Path.of("/tmp/a"), 4));
        assertEquals("{\"count\":3,\"name\":\"a\",\"ratio\":0.5,\"shape\":{\"@type\":\"dot\",\"size\":1.0},"
                + "\"tags\":[\"x\",\"y\",\"z\"]}", new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValueAsString(tree), "ints as longs, a float as its double, a set sorted, the empty note gone");
        assertEquals(Canonical.hash("k", tree, List.of()),
                Canonical.hash("k", Canonical.identityMap(job(3, Path.of("/elsewhere"), 64)), List.of()),
                "marked fields do not count");
        assertNotEquals(Canonical.hash("k", tree, List.of()),
                Canonical.hash("k", Canonical.identityMap(job(4, Path.of("/tmp/a"), 4)), List.of()));
        assertNotEquals(Canonical.identity(new Dot(1)), Canonical.identity(new Blob(1)),
                "two records of one sealed type with the same fields are told apart");
    }

    @Test
    void numbersHashByValueAndTypeFamilyAndMapsByContentNotOrder() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("b", 1);
        a.put("a", 2.5f);
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("a", 2.5);
        b.put("b", 1L);
        assertEquals(Canonical.hash("k", a, List.of()), Canonical.hash("k", b, List.of()));
        assertNotEquals(Canonical.hash("k", Map.of("w", 1L), List.of()), Canonical.hash("k", Map.of("w", 1.0),
                List.of()), "typed fields never meet these two; a map written with both keeps them apart");
        assertNotEquals(Canonical.hash("k", a, List.of()), Canonical.hash("k", a, List.of("dep-1")));
        assertNotEquals(Canonical.hash("k", a, List.of()), Canonical.hash("other", a, List.of()));
    }

    @Test
    void trainingArgumentsStandForTheirEffectiveValues() {
        TrainingArgs set = TrainingArgs.fromMap(Map.of("learning_rate", 1e-3, "adam_beta1", 0.9));
        TrainingArgs same = TrainingArgs.fromMap(Map.of("lr", "0.001"));
        assertEquals(Canonical.identity(set), Canonical.identity(same), "a default written out, an alias: no change");
        assertNotEquals(Canonical.identity(set), Canonical.identity(same.with("seed", 7)));
        assertTrue(((Map<?, ?>) Canonical.identity(set)).containsKey("lr_scheduler_type"), "defaults are filled in");
    }

    @Test
    void aTypeWithoutADeclaredIdentityIsRefusedNamingTheField() {
        record Holder(StringBuilder text) {
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Canonical.identity(new Holder(new StringBuilder("x"))));
        assertTrue(e.getMessage().startsWith("Holder.text: a step id cannot hold a java.lang.StringBuilder"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Step.of("k", "k", List.of(), Map.of(), ctx -> { }),
                "an action that is not a record has no declared identity");
        assertFalse(Canonical.snakeCase("sliceIndex").contains("I"));
        assertEquals("data_seed", Canonical.snakeCase("dataSeed"));
    }
}
