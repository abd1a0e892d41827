package io.mergelab.train;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's resident memory (VmRSS) and its peak (VmHWM) in MiB, as the kernel counts them: JVM heap, libtorch
 * tensors and allocator slack together, which is what an OOM killer or a Slurm {@code --mem} limit sees. Logged
 * with the training history so that a run that grows shows it step by step. NaN where /proc is unavailable.
 */
public record ProcessMemory(double residentMiB, double peakMiB) {
    private static final Path STATUS = Path.of("/proc/self/status");

    public static ProcessMemory now() {
        double rss = Double.NaN;
        double hwm = Double.NaN;
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    rss = kib(line) / 1024.0;
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kib(line) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc hidden: memory is reported as unknown, training goes on
        }
        return new ProcessMemory(rss, hwm);
    }

    /** Adds {@code rss_mb} to a history entry (nothing where it is unknown). */
    void logTo(ObjectNode entry) {
        if (!Double.isNaN(residentMiB)) {
            entry.put("rss_mb", Math.round(residentMiB * 10) / 10.0);
        }
    }

    private static double kib(String line) {
        return Double.parseDouble(line.replaceAll("[^0-9]", ""));
    }
}
