package io.mergelab.cli;

import io.mergelab.config.ConfigLayers;
import io.mergelab.config.StudyConfig;
import io.mergelab.config.StudyConfigParser;
import io.mergelab.merge.MergeMethod;
import io.mergelab.merge.MethodRegistry;
import io.mergelab.merge.MethodsDoc;
import io.mergelab.merge.ParamSpec;
import io.mergelab.yaml.ConfigException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The method registry is the only list of merge methods: a study's validation, {@code merge --help} and
 * docs/merge-methods.md each list exactly the registered methods, with the parameters each declares.
 */
class MethodRegistryListsTest {
    private static final MethodRegistry REGISTRY = MethodRegistry.load();

    @TempDir
    Path home;
    StudyConfigParser parser;

    @BeforeEach
    void setUp() throws IOException {
        Files.createDirectories(home.resolve("configs/datasets"));
        for (String d : List.of("a", "b", "c")) {
            Files.writeString(home.resolve("configs/datasets/" + d + ".yaml"), "name: " + d + "\n");
        }
        parser = new StudyConfigParser(new ConfigLayers(Map.of(), home.resolve("configs")), home);
    }

    /** Each registered method with every parameter it declares (at a value in its range) is a valid study merge. */
    @Test
    void aStudyAcceptsEveryRegisteredMethodWithItsParametersAndNothingElse() throws IOException {
        ConfigException unknown = assertThrows(ConfigException.class, () -> parser.parse(write(
                "name: s\ndatasets: [a]\nmerges:\n  - {method: fisher, models: [a]}\n"), List.of()));
        String offered = unknown.getMessage().substring(unknown.getMessage().indexOf("expected one of ") + 16);
        assertEquals(REGISTRY.names(), new TreeSet<>(List.of(offered.split(", "))), unknown.getMessage());
        for (String name : REGISTRY.names()) {
            MergeMethod m = REGISTRY.get(name);
            List<String> models = variants(m);
            String perModel = m.parameters().stream().filter(ParamSpec::perModel)
                    .map(p -> p.name() + ": " + value(p)).collect(Collectors.joining(", "));
            String global = m.parameters().stream().filter(p -> !p.perModel())
                    .map(p -> p.name() + ": " + value(p)).collect(Collectors.joining(", "));
            String yaml = "name: s\ndatasets: [a, b, c]\nmerges:\n  - method: " + name + "\n"
                    + (m.basePolicy() == io.mergelab.merge.BasePolicy.REQUIRED ? "    base_model: base\n" : "")
                    + "    models:\n" + models.stream().map(v -> "      - {model: " + v + ", parameters: {" + perModel
                    + "}}\n").collect(Collectors.joining())
                    + "    parameters: {" + global + "}\n";
            StudyConfig s = parser.parse(write(yaml), List.of());
            StudyConfig.MergeSpec spec = s.merges().get(0);
            assertEquals(name, spec.method());
            Set<String> declared = m.parameters().stream().filter(p -> !p.perModel()).map(ParamSpec::name)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(declared, new TreeSet<>(spec.parameters().keySet()), name);

            ConfigException e = assertThrows(ConfigException.class, () -> parser.parse(write(yaml.replace(
                    "    parameters: {", "    parameters: {no_such_parameter: 1, ")), List.of()), name);
            assertTrue(e.getMessage().contains("unknown key 'merges[" + name + "].parameters.no_such_parameter'"),
                    e.getMessage());
        }
    }

    /** A value outside a declared range is refused with that range, for every bounded parameter of every method. */
    @Test
    void aStudyChecksEachParameterAgainstTheRangeItsMethodDeclares() throws IOException {
        int checked = 0;
        for (String name : REGISTRY.names()) {
            MergeMethod m = REGISTRY.get(name);
            for (ParamSpec p : m.parameters()) {
                if (p.perModel() || p.bool() || !p.range().bounded() || Double.isInfinite(p.range().max())) {
                    continue;
                }
                String yaml = "name: s\ndatasets: [a, b, c]\nmerges:\n  - method: " + name + "\n"
                        + (m.basePolicy() == io.mergelab.merge.BasePolicy.REQUIRED ? "    base_model: base\n" : "")
                        + "    models: [" + String.join(", ", variants(m)) + "]\n    parameters: {" + p.name() + ": " + (p.range().max() + 1) + "}\n";
                ConfigException e = assertThrows(ConfigException.class, () -> parser.parse(write(yaml), List.of()),
                        name + "." + p.name());
                assertTrue(e.getMessage().endsWith("merges[" + name + "].parameters." + p.name()
                        + ": expected a number in " + p.range() + ", got " + fmt(p.range().max() + 1)), e.getMessage());
                checked++;
            }
        }
        assertTrue(checked >= 3, "bounded global parameters checked: " + checked);
    }

    @Test
    void mergeHelpListsExactlyTheRegisteredMethodsWithTheirParameters() {
        StringWriter out = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), "merge",
                "--help"));
        String help = out.toString();
        // a method line starts with two spaces and the name; continuation lines start with 19+ spaces
        Map<String, String> listed = new LinkedHashMap<>();
        String current = null;
        Pattern row = Pattern.compile("^  ([a-z0-9_]+) +(.+)$");
        boolean inMethods = false;
        for (String line : help.lines().toList()) {
            if (line.startsWith("Methods (")) {
                inMethods = true;
                continue;
            }
            if (!inMethods) {
                continue;
            }
            Matcher rm = row.matcher(line);
            if (line.startsWith("                   ") && current != null) {
                listed.merge(current, " " + line.strip(), String::concat);
            } else if (rm.matches()) {
                current = rm.group(1);
                listed.put(current, rm.group(2));
            } else {
                break;
            }
        }
        assertEquals(REGISTRY.names(), new TreeSet<>(listed.keySet()), help);
        for (String name : REGISTRY.names()) {
            MergeMethod m = REGISTRY.get(name);
            assertEquals(m.displayName() + ":" + (m.parameters().isEmpty() ? "" : " " + MethodsDoc.signature(m)),
                    listed.get(name), name);
            for (ParamSpec p : m.parameters()) {
                assertTrue(listed.get(name).contains(" " + p.name()), name + " lists " + p.name());
            }
        }
    }

    @Test
    void theDocsListExactlyTheRegisteredMethodsWithTheirParameters() throws IOException {
        String page = Files.readString(Path.of("docs/merge-methods.md"));
        Map<String, String> rows = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^\\| `([a-z0-9_]+)` \\|(.*)$").matcher(page);
        while (m.find()) {
            rows.put(m.group(1), m.group(2));
        }
        assertEquals(REGISTRY.names(), new TreeSet<>(rows.keySet()));
        for (String name : REGISTRY.names()) {
            Set<String> inRow = new TreeSet<>();
            Matcher pm = Pattern.compile("`([a-z0-9_]+)` \\((per model|global)").matcher(rows.get(name));
            while (pm.find()) {
                inRow.add(pm.group(1));
            }
            assertEquals(REGISTRY.get(name).parameters().stream().map(ParamSpec::name)
                    .collect(Collectors.toCollection(TreeSet::new)), inRow, name);
        }
    }

    /** Variants to merge: two, or as many as the method takes (the base is the pre-trained model, not among them). */
    private static List<String> variants(MergeMethod m) {
        int count = Math.max(m.otherModels().min(), Math.min(2, m.otherModels().max()));
        return List.of("a", "b", "c").subList(0, count);
    }

    private Path write(String yaml) throws IOException {
        return Files.writeString(home.resolve("study.yaml"), yaml);
    }

    /** A value the parameter accepts: its default, else the middle of its range (or 0.5). */
    private static String value(ParamSpec p) {
        if (p.bool()) {
            return p.defaultValue() != 0 ? "true" : "false";
        }
        if (!p.required() && !Double.isNaN(p.defaultValue())) {
            return fmt(p.defaultValue());
        }
        ParamSpec.Range r = p.range();
        return r.bounded() && !Double.isInfinite(r.min()) && !Double.isInfinite(r.max()) ? fmt((r.min() + r.max()) / 2)
                : "0.5";
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%s", v);
    }
}
