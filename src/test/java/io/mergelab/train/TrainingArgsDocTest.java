package io.mergelab.train;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/training-args.md and finetune --help list exactly the declared settings and unsupported arguments;
 * {@code -Dmergelab.regenerate=true} rewrites the page.
 */
class TrainingArgsDocTest {
    private static final Path PAGE = Path.of("docs/training-args.md");

    @Test
    void theCommittedPageIsTheTables() throws IOException {
        String generated = TrainingArgsDoc.markdown();
        if (Boolean.getBoolean("mergelab.regenerate")) {
            Files.writeString(PAGE, generated);
        }
        List<String> settings = Arrays.stream(TrainingSetting.values()).map(s -> s.key).toList();
        assertEquals(settings, rows(generated, "| argument | type |"), "the page's settings");
        List<String> unsupported = new ArrayList<>();
        Matcher m = Pattern.compile("`([a-z0-9_]+)`").matcher(String.join("\n", section(generated,
                "| argument | handling |")));
        while (m.find()) {
            unsupported.add(m.group(1));
        }
        assertTrue(unsupported.containsAll(Arrays.stream(UnsupportedArgument.values()).map(u -> u.key).toList()),
                unsupported.toString());
        for (TrainingArgs.Rule r : TrainingArgs.RULES) {
            assertTrue(generated.contains("- " + r.doc() + ".\n"), r.doc());
        }
        assertTrue(generated.contains("| `learning_rate` (also `lr`) | float | `5e-05` | (0, 1] | "), generated);
        assertTrue(generated.contains("| `logging_steps` | int | `10` (transformers: 500) | >= 1 | "), generated);
        assertEquals(generated, Files.readString(PAGE), PAGE + " is out of date with the table of training "
                + "arguments: run bin/native-env mvn -q -o test -Dtest=TrainingArgsDocTest -Dmergelab.regenerate=true");
    }

    @Test
    void theHelpListsEverySettingOnceWithItsDefaultWithinEightyColumns() {
        List<String> lines = TrainingArgsDoc.helpLines();
        List<String> names = lines.stream().filter(l -> l.matches("  \\S.*")).map(l -> l.strip().split(" ")[0])
                .toList();
        assertEquals(Arrays.stream(TrainingSetting.values()).map(s -> s.key).toList(), names);
        assertTrue(lines.stream().allMatch(l -> l.length() < 80), String.join("\n", lines));
        assertTrue(lines.contains(String.format("  %-28s %-15s %s", "learning_rate", "5e-05", "(0, 1]")),
                String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.matches("  eval_steps +\\(logging_steps\\) +>= 0")),
                String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.matches(" {47}constant_with_warmup")), String.join("\n", lines));
        assertTrue(lines.get(1).contains("docs/training-args.md"), lines.get(1));
    }

    /** The first column's names of the table under {@code header}. */
    private static List<String> rows(String page, String header) {
        return section(page, header).stream().map(l -> l.substring(3, l.indexOf('`', 3))).toList();
    }

    private static List<String> section(String page, String header) {
        List<String> lines = page.lines().toList();
        int start = lines.indexOf(lines.stream().filter(l -> l.startsWith(header)).findFirst().orElseThrow()) + 2;
        List<String> out = new ArrayList<>();
        for (int i = start; i < lines.size() && lines.get(i).startsWith("| "); i++) {
            out.add(lines.get(i));
        }
        return out;
    }
}
