package io.mergelab.cli;

import io.mergelab.train.TrainingArgs;
import io.mergelab.train.TrainingArgsDoc;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** finetune --help lists the training arguments from the table that parses them, each once. */
class FinetuneCommandHelpTest {

    @Test
    void theHelpListsEveryTrainingArgument() {
        CliTest.Result r = CliTest.run("finetune", "--help");
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.out().lines().toList();
        for (String line : TrainingArgsDoc.helpLines()) {
            assertEquals(1, lines.stream().filter(line::equals).count(), line + " in:\n" + r.out());
        }
        for (String key : TrainingArgs.defaults().effectiveValues().keySet()) {
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("  " + key + " ")), key);
        }
        assertTrue(r.out().contains("  learning_rate                5e-05           (0, 1]\n"), r.out());
    }
}
