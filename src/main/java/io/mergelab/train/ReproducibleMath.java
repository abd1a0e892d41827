package io.mergelab.train;

import java.io.PrintStream;
import java.util.Map;

/**
 * Whether this JVM was started with the environment that makes libtorch's CPU math reproducible run to run (set by
 * bin/native-env, through which bin/mergelab and Slurm jobs start): MKL_CBWR (deterministic MKL thread scheduling)
 * and MKL_DYNAMIC=FALSE (a fixed thread count). Without them a seeded run, or a resumed one, can differ in the
 * last bits from another; training says so once instead of failing.
 */
final class ReproducibleMath {
    private ReproducibleMath() {}

    /** The variables missing from {@code env}, empty when all are set as bin/native-env sets them. */
    static String missing(Map<String, String> env) {
        StringBuilder out = new StringBuilder();
        if (env.getOrDefault("MKL_CBWR", "").isBlank()) { // blank: MKL runs without its reproducible mode
            out.append("MKL_CBWR");
        }
        if (!"FALSE".equalsIgnoreCase(env.getOrDefault("MKL_DYNAMIC", ""))) {
            out.append(out.length() > 0 ? ", " : "").append("MKL_DYNAMIC=FALSE");
        }
        return out.toString();
    }

    static void warnIfUnset(PrintStream log) {
        String missing = missing(System.getenv());
        if (!missing.isEmpty()) {
            log.println("note: " + missing + " not set: libtorch's CPU matmuls may differ in the last bits between "
                    + "runs and after a resume; start the JVM through bin/mergelab (bin/native-env sets them)");
        }
    }
}
