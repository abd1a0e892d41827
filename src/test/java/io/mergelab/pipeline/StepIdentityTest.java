package io.mergelab.pipeline;

import io.mergelab.config.StudyConfig;
import io.mergelab.train.TrainingArgs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Step ids follow the typed action records: every field not marked {@link NotInStepId} changes the id, the marked
 * ones (device, this installation's paths, the merge engine) do not, and a change in a study moves exactly the steps
 * it touches and what depends on them (nothing runs here).
 */
class StepIdentityTest {
    static final Path HOME = Path.of("").toAbsolutePath();
    final Studies studies = Studies.standard(HOME);

    @TempDir
    Path tmp;

    /** Two datasets (one inline, over a copy of a shipped file we can edit), two seeds, merges, every baseline. */
    private static final String STUDY = """
            name: ident
            seeds: [1, 2]
            base_model: {preset: tiny, seed: 42}
            datasets:
              - {name: mine, path: DATA, format: text-label, text: text,
                 label: {column: label, names: [negative, positive]}, split: {validation: 0.1, test: 0.2}}
              - amazon
            variants:
              - {dataset: mine, count: 2, split: disjoint, name: "m{i}"}
              - {name: amazon, dataset: amazon, slice: 0/2}
            training_args: {learning_rate: 5.0e-4, max_steps: 2, max_length: 32}
            merges:
              - {name: ties, method: ties, base_model: base, models: [m0, m1, amazon],
                 parameters: {density: 0.5, lambda: 1.0}}
              - {name: linear, method: linear, models: [m0, m1]}
            evaluate:
              splits: [validation, test]
              baselines: {variants: true, ensemble: true, stacker: true, linear_probe: true}
            report: {metric: accuracy, split: test, analysis: true}
            """;

    private Path data;

    private Plan plan(String yaml, String... overrides) throws IOException {
        if (data == null) {
            data = Files.copy(HOME.resolve("data/uci-sentiment/yelp_labelled.txt"), tmp.resolve("mine.txt"));
        }
        Path f = Files.writeString(tmp.resolve("ident.yaml"), yaml.replace("DATA", data.toString()));
        return studies.plan(studies.load(f, List.of(overrides)));
    }

    @Test
    void everyRecordFieldButTheMarkedOnesChangesTheIdOfEveryKindOfStep() throws IOException {
        List<Plan> plans = List.of(plan(STUDY), studies.plan(studies.load(HOME.resolve(
                "configs/quickstart_pretrained.yaml"), List.of("seeds=[1]"))), searchPlan());
        Set<String> kinds = new TreeSet<>();
        Set<String> excluded = new TreeSet<>();
        Set<String> seen = new HashSet<>();
        for (Plan p : plans) {
            for (Step s : p.steps()) {
                if (!seen.add(s.kind() + "/" + s.action().getClass().getSimpleName())) {
                    continue; // one step of each kind is enough
                }
                kinds.add(s.kind());
                List<Step> deps = s.deps().stream().map(p::step).toList();
                Step again = Step.of(s.kind(), s.label(), deps, s.meta(), s.action());
                assertEquals(s.id(), again.id(), "an id is a function of the record");
                for (RecordComponent c : s.action().getClass().getRecordComponents()) {
                    boolean marked = c.isAnnotationPresent(NotInStepId.class);
                    StepAction changed = (StepAction) with((Record) s.action(), c, marked);
                    String id = Step.of(s.kind(), s.label(), deps, s.meta(), changed).id();
                    String what = s.kind() + " " + s.action().getClass().getSimpleName() + "." + c.getName();
                    if (marked) {
                        excluded.add(what.substring(what.indexOf(' ') + 1));
                        assertEquals(s.id(), id, what + " is marked: it must not change the id");
                    } else {
                        assertNotEquals(s.id(), id, what + " is identity: changing it must change the id");
                    }
                }
            }
        }
        assertEquals(new TreeSet<>(List.of("analyze", "base", "data", "ensemble", "evaluate", "finetune", "merge",
                "pretrain", "report", "search", "stacker")), kinds);
        assertEquals(new TreeSet<>(List.of("BaseModelAction.tokenizerDir", "DataAction.spec", "DataAction.tokenizerDir",
                "EvaluateAction.compute", "FinetuneAction.compute", "MergeAction.merger", "SearchAction.config",
                "SearchAction.mark", "SearchAction.study")), excluded);
    }

    @Test
    void theDeviceAndPrecisionChangeNoStep() throws IOException {
        List<String> ids = ids(plan(STUDY));
        assertEquals(ids, ids(plan(STUDY, "device=cuda:1")));
        assertEquals(ids, ids(plan(STUDY, "device=cpu", "precision=bf16")));
        assertEquals(ids, ids(plan(STUDY)), "planning twice gives the same ids");
    }

    @Test
    void aTrainingArgumentMovesTheFineTunesAndWhatDependsOnThem() throws IOException {
        assertMoves(plan(STUDY), plan(STUDY, "training_args.learning_rate=1e-3"), s -> s.kind().equals("finetune"));
        // a default written out is no change: ids hash the effective arguments
        assertEquals(ids(plan(STUDY)), ids(plan(STUDY, "training_args.adam_beta1=0.9")));
    }

    @Test
    void aMergeParameterMovesThatMergeItsEvaluationsAndTheAnalysisWhichReadsItsDensity() throws IOException {
        assertMoves(plan(STUDY), plan(STUDY.replace("density: 0.5", "density: 0.3")),
                s -> s.label().startsWith("merge ties") || s.label().startsWith("evaluate ties")
                        || s.kind().equals("analyze"));
        assertMoves(plan(STUDY), plan(STUDY.replace("lambda: 1.0", "lambda: 0.5")),
                s -> s.label().startsWith("merge ties") || s.label().startsWith("evaluate ties"));
    }

    @Test
    void aDatasetFilesContentMovesItsDataStepsAndWhatDependsOnThem() throws IOException {
        Plan before = plan(STUDY);
        Files.writeString(data, Files.readString(data).replaceFirst("\t1\n", " (edited)\t1\n"));
        assertMoves(before, plan(STUDY), s -> s.label().startsWith("data mine"));
    }

    @Test
    void aMergeNameIsNotContentButItsSeedIs() throws IOException {
        Plan p = plan(STUDY);
        Plan renamed = plan(STUDY.replace("name: linear", "name: soup"));
        Step m1 = step(p, "merge linear (seed 1)");
        assertEquals(m1.id(), step(renamed, "merge soup (seed 1)").id(), "a name is not content");
        assertEquals(1L, m1.inputs().get("seed"));
        assertNotEquals(m1.id(), step(p, "merge linear (seed 2)").id());
    }

    private static Step step(Plan p, String label) {
        return p.steps().stream().filter(s -> s.label().equals(label)).findFirst().orElseThrow();
    }

    /**
     * The steps whose own facts differ between {@code a} and {@code b} (their records, upstream step ids aside)
     * are exactly those {@code touched} selects, and the steps whose id differs are those and everything depending
     * on them; the rest keep their ids.
     */
    private static void assertMoves(Plan a, Plan b, Predicate<Step> touched) throws IOException {
        Map<String, Step> before = byLabel(a);
        Map<String, Step> after = byLabel(b);
        assertEquals(before.keySet(), after.keySet(), "the same steps");
        Set<String> direct = new TreeSet<>();
        Set<String> moved = new TreeSet<>();
        for (Step s : b.steps()) {
            Step old = before.get(s.label());
            String was = Canonical.json().writeValueAsString(old.inputs());
            for (Step o : a.steps()) { // a record names its upstream steps: read them under their new ids
                was = was.replace(o.id(), after.get(o.label()).id());
            }
            if (!was.equals(Canonical.json().writeValueAsString(s.inputs()))) {
                direct.add(s.label());
            }
            if (!old.id().equals(s.id())) {
                moved.add(s.label());
            }
        }
        Set<String> expected = b.steps().stream().filter(touched).map(Step::label).collect(Collectors.toCollection(TreeSet::new));
        assertFalse(expected.isEmpty());
        assertEquals(expected, direct, "the steps whose own facts changed");
        Set<String> closure = new TreeSet<>(expected);
        for (Step s : b.steps()) {
            if (expected.contains(s.label())) {
                b.dependentsOf(s.id()).forEach(id -> closure.add(b.step(id).label()));
            }
        }
        assertEquals(closure, moved, "those and their dependents, nothing else");
        assertTrue(moved.size() < b.steps().size(), "some steps keep their ids");
    }

    private static Map<String, Step> byLabel(Plan p) {
        Map<String, Step> out = new LinkedHashMap<>();
        p.steps().forEach(s -> assertEquals(null, out.put(s.label(), s), "labels are unique: " + s.label()));
        return out;
    }

    private static List<String> ids(Plan p) {
        return p.steps().stream().map(Step::id).toList();
    }

    private Plan searchPlan() throws IOException {
        Path f = Files.writeString(tmp.resolve("planned.yaml"), StudySearchPlanTest.STUDY);
        return studies.plan(studies.load(f, List.of()));
    }

    /** {@code r} with component {@code c} changed: for a marked one, another device or nothing at all. */
    private static Object with(Record r, RecordComponent c, boolean marked) {
        Object v = get(r, c);
        Object changed;
        if (!marked) {
            changed = changed(v, c.getType());
        } else if (v instanceof StudyConfig.Compute compute) {
            changed = new StudyConfig.Compute(compute.device().equals("cuda:1") ? "cpu" : "cuda:1", "bf16",
                    compute.mark());
        } else if (v instanceof Path p) {
            changed = p.resolveSibling("elsewhere");
        } else {
            changed = null;
        }
        return copy(r, c, changed);
    }

    /** A value of {@code type} different from {@code v} in what {@link Canonical#identity} sees. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object changed(Object v, Class<?> type) {
        if (type == String.class) {
            return v == null ? "x" : v + "x";
        }
        if (type == int.class || type == Integer.class) {
            return v == null ? 1 : (Integer) v + 1;
        }
        if (type == long.class || type == Long.class) {
            return v == null ? 1L : (Long) v + 1;
        }
        if (type == double.class || type == Double.class) {
            return v == null ? 0.5 : (Double) v + 0.25;
        }
        if (type == boolean.class || type == Boolean.class) {
            return v == null || !(Boolean) v;
        }
        if (type == Path.class) {
            return v == null ? Path.of("/elsewhere") : ((Path) v).resolveSibling("elsewhere");
        }
        if (type == double[].class) {
            double[] d = v == null ? new double[1] : ((double[]) v).clone();
            d[0] += 0.25;
            return d;
        }
        if (type == Optional.class) {
            return v == null || ((Optional<?>) v).isEmpty() ? Optional.of("x") : Optional.empty();
        }
        if (List.class.isAssignableFrom(type)) {
            List l = new ArrayList(v == null ? List.of() : (List) v);
            if (l.isEmpty()) {
                l.add("x");
            } else {
                l.remove(l.size() - 1);
            }
            return l;
        }
        if (Map.class.isAssignableFrom(type)) {
            Map m = new TreeMap(v == null ? Map.of() : (Map) v);
            m.put("zz_added", "x");
            return m;
        }
        if (type == TrainingArgs.class) {
            TrainingArgs t = (TrainingArgs) v;
            return t.with("learning_rate", t.learningRate() * 2);
        }
        Class<?> cls = v != null ? v.getClass() : type;
        if (cls.isRecord()) {
            RecordComponent[] cs = cls.getRecordComponents();
            if (v == null) { // a record where there was none: any instance
                Object[] args = new Object[cs.length];
                for (int i = 0; i < cs.length; i++) {
                    args[i] = changed(null, cs[i].getType());
                }
                return construct(cls, args);
            }
            for (RecordComponent c : cs) { // the first field that can change and still make a valid record
                if (!c.isAnnotationPresent(NotInStepId.class)) {
                    try {
                        return copy((Record) v, c, changed(get((Record) v, c), c.getType()));
                    } catch (RuntimeException invalid) {
                        // e.g. a value the record's constructor refuses: try the next field
                    }
                }
            }
        }
        throw new IllegalArgumentException("cannot change a " + cls.getName() + " (" + v + ")");
    }

    private static Object get(Record r, RecordComponent c) {
        try {
            c.getAccessor().setAccessible(true);
            return c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object copy(Record r, RecordComponent changedOne, Object value) {
        RecordComponent[] cs = r.getClass().getRecordComponents();
        Object[] args = new Object[cs.length];
        for (int i = 0; i < cs.length; i++) {
            args[i] = cs[i].getName().equals(changedOne.getName()) ? value : get(r, cs[i]);
        }
        return construct(r.getClass(), args);
    }

    private static Object construct(Class<?> cls, Object[] args) {
        Class<?>[] types = Arrays.stream(cls.getRecordComponents()).map(RecordComponent::getType).toArray(Class[]::new);
        try {
            Constructor<?> k = cls.getDeclaredConstructor(types);
            k.setAccessible(true);
            return k.newInstance(args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
