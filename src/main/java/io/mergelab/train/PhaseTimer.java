package io.mergelab.train;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Wall time per training phase, printed every 10 steps when -Dmergelab.train.profile=true (for benchmarks). */
final class PhaseTimer {
    private final boolean enabled;
    private final Map<String, Long> nanos = new LinkedHashMap<>();
    private long last = System.nanoTime();

    PhaseTimer(boolean enabled) {
        this.enabled = enabled;
    }

    void lap(String phase) {
        if (enabled) {
            long now = System.nanoTime();
            nanos.merge(phase, now - last, Long::sum);
            last = now;
        }
    }

    void report(int step, PrintStream out) {
        if (enabled && step % 10 == 0) {
            StringBuilder sb = new StringBuilder("profile step " + step + ":");
            nanos.forEach((k, v) -> sb.append(String.format(Locale.ROOT, " %s %.0f ms", k, v / 1e6)));
            out.println(sb);
        }
    }
}
