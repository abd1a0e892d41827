package io.mergelab.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.NoSuchFileException;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one line a user reads for an exception. */
class ErrorMessagesTest {
    @Test
    void anOutOfMemoryErrorInsideAWorkerSaysWhichLimitToRaise() {
        String line = ErrorMessages.describe(new ExecutionException("java.lang.OutOfMemoryError: Java heap space",
                new OutOfMemoryError("Java heap space")));
        assertTrue(line.startsWith("out of memory (Java heap space, the JVM's limit is "), line);
        assertTrue(line.endsWith(" MiB): raise it with MERGELAB_JAVA_OPTS=-Xmx<size>, or use fewer --threads"), line);
    }

    @Test
    void aMissingFileIsNamed() {
        assertEquals("no such file: /x/y", ErrorMessages.describe(new NoSuchFileException("/x/y")));
    }
}
