package io.mergelab.merge;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/merge-methods.md is what the registry generates; {@code -Dmergelab.regenerate=true} rewrites it. */
class MethodsDocTest {
    private static final Path PAGE = Path.of("docs/merge-methods.md");

    @Test
    void theCommittedPageIsTheRegistrys() throws IOException {
        MethodRegistry registry = MethodRegistry.load();
        String generated = MethodsDoc.markdown(registry);
        if (Boolean.getBoolean("mergelab.regenerate")) {
            Files.writeString(PAGE, generated);
        }
        for (String name : registry.names()) {
            assertTrue(generated.contains("| `" + name + "` |"), name);
        }
        assertTrue(generated.contains("| `ties` | TIES | required | ") && generated.contains("`weight` (per model, "
                + "required, in [-10, 10])"), generated);
        assertEquals(generated, Files.readString(PAGE), PAGE + " is out of date with the method registry: run "
                + "bin/native-env mvn -q -o test -Dtest=MethodsDocTest -Dmergelab.regenerate=true");
    }
}
