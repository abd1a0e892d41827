package io.mergelab.arch;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The package layering docs/ARCHITECTURE.md states: a lower layer never uses a higher one. Reads every main source
 * file and lists each reference to another mergelab package (imports and fully qualified names in code; comments
 * and string literals, such as the launcher's main-class name, do not count) that the rules below do not allow.
 */
class LayeringTest {
    /** Package → the mergelab packages (or single classes) it may use; cli and pipeline sit on top. */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("data", Set.of()),
            Map.entry("model", Set.of()),
            Map.entry("track", Set.of()),
            Map.entry("slurm", Set.of()),
            // report.stats scores macro-F1 with eval's ClassificationMetrics: one definition of the metric
            // and reads the evaluations' logits.json through eval's own reader
            Map.entry("report", Set.of("eval.ClassificationMetrics", "eval.LogitsFile")),
            Map.entry("eval", Set.of("data", "model")),
            Map.entry("train", Set.of("data", "eval", "model")),
            Map.entry("merge", Set.of("model")),
            // the YAML tree with source positions, typed field reading and the positioned error: config and search
            // both read YAML through it, so neither needs the other's parser
            Map.entry("yaml", Set.of("data.Suggest")),
            Map.entry("config", Set.of("yaml", "data.Suggest", "train.TrainingArgs", "merge.recipe",
                    "merge.MethodRegistry", "merge.BasePolicy", "merge.ParamSpec", "merge.MergeMethod", "merge.ModelCount",
                    // the search section: parsed by the search package's grammar into its record
                    "search.SearchConfigParser", "search.SearchConfig",
                    // a study's base by hub id: the same local roots ($MERGELAB_MODELS) as every command
                    "model.hub.HubModelResolver")),
            Map.entry("search", Set.of("yaml", "data", "eval", "merge", "model", "track")),
            Map.entry("pipeline", Set.of("config", "yaml", "data", "eval", "merge", "model", "report", "search", "slurm",
                    "track", "train")),
            Map.entry("cli", Set.of("config", "yaml", "data", "eval", "merge", "model", "pipeline", "report", "search",
                    "slurm", "track", "train")));
    private static final Path ROOT = Path.of("src/main/java/io/mergelab");
    private static final Pattern REF = Pattern.compile("\\bio\\.mergelab\\.([a-z][a-z0-9]*)((?:\\.[a-z][a-z0-9]*)*)"
            + "(?:\\.([A-Z][A-Za-z0-9]*))?");

    @Test
    void noPackageUsesAHigherLayer() throws IOException {
        List<String> violations = new ArrayList<>();
        int files = 0;
        try (var walk = Files.walk(ROOT)) {
            for (Path f : walk.filter(p -> p.toString().endsWith(".java")).toList()) {
                files++;
                String pkg = ROOT.relativize(f).getName(0).toString();
                Set<String> allowed = ALLOWED.get(pkg);
                assertTrue(allowed != null, "no layering rule for package " + pkg + " (" + f + "): add one");
                Matcher m = REF.matcher(code(Files.readString(f)));
                while (m.find()) {
                    String target = m.group(1);
                    if (target.equals(pkg)) {
                        continue;
                    }
                    String sub = target + m.group(2);
                    String cls = m.group(3) == null ? null : sub + "." + m.group(3);
                    if (!(allowed.contains(target) || allowed.contains(sub) || (cls != null && allowed.contains(cls)))) {
                        violations.add(f + " uses io.mergelab." + (cls != null ? cls : sub));
                    }
                }
            }
        }
        assertTrue(files > 100, "read " + files + " files under " + ROOT.toAbsolutePath());
        assertEquals(List.of(), violations);
    }

    /** The source without comments and string/char literals (text blocks included). */
    static String code(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int i = 0;
        while (i < src.length()) {
            if (src.startsWith("//", i)) {
                i = src.indexOf('\n', i) < 0 ? src.length() : src.indexOf('\n', i);
            } else if (src.startsWith("/*", i)) {
                int end = src.indexOf("*/", i + 2);
                i = end < 0 ? src.length() : end + 2;
            } else if (src.startsWith("\"\"\"", i)) {
                int end = src.indexOf("\"\"\"", i + 3);
                i = end < 0 ? src.length() : end + 3;
            } else if (src.charAt(i) == '"' || src.charAt(i) == '\'') {
                char q = src.charAt(i++);
                while (i < src.length() && src.charAt(i) != q) {
                    i += src.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
            } else {
                out.append(src.charAt(i++));
            }
        }
        return out.toString();
    }

    @Test
    void commentsAndStringsDoNotCount() {
        assertEquals("a  b  c ", code("a /* io.mergelab.cli */ b \"io.mergelab.cli.Main\" c // io.mergelab.cli\n")
                .replace("\n", ""));
    }
}
