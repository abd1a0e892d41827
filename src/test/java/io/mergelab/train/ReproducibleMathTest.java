package io.mergelab.train;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ReproducibleMathTest {
    @Test
    void namesWhatBinNativeEnvWouldHaveSet() {
        assertEquals("MKL_CBWR, MKL_DYNAMIC=FALSE", ReproducibleMath.missing(Map.of()));
        assertEquals("MKL_DYNAMIC=FALSE", ReproducibleMath.missing(Map.of("MKL_CBWR", "AUTO", "MKL_DYNAMIC", "TRUE")));
        assertEquals("MKL_CBWR", ReproducibleMath.missing(Map.of("MKL_DYNAMIC", "false")));
        assertEquals("MKL_CBWR", ReproducibleMath.missing(Map.of("MKL_CBWR", "", "MKL_DYNAMIC", "FALSE")));
        assertEquals("", ReproducibleMath.missing(Map.of("MKL_CBWR", "AUTO", "MKL_DYNAMIC", "FALSE")));
    }

    /** The test JVM is configured like bin/native-env (pom.xml's surefire environment): the resume tests rely on it. */
    @Test
    void testJvmRunsWithTheReproducibleEnvironment() {
        assertEquals("", ReproducibleMath.missing(System.getenv()));
    }
}
