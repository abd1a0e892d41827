package io.mergelab.slurm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a job asks Slurm for: the {@code executor.slurm} section of a config (and each per-stage
 * override). Null fields are left to the cluster's defaults. Values are written as sbatch takes them:
 * {@code time: "04:00:00"} (or minutes, {@code 1-00:00:00}), {@code mem: 16G}, {@code gpus: 1} or
 * {@code a100:1}; {@code extra} lines go verbatim after the other {@code #SBATCH} lines
 * ({@code "--mail-type=END"} or {@code "#SBATCH --mail-type=END"}).
 *
 * <p>{@code stopBeforeLimit} (seconds, {@code stop_before_limit} in YAML): the job script sends SIGTERM to its
 * own task that long before the {@code time} limit, so a fine-tune writes a resume checkpoint and exits 143
 * instead of being killed at the limit. It does what sbatch's {@code --signal=B:TERM@SECONDS} does, on both
 * submission paths: slurmrestd 22.05 refuses the {@code B:} form ("Invalid SIGNAL specification"), and without
 * it Slurm signals only job steps, which a batch script that execs the JVM has none of.
 *
 * <p>{@code maxRequeues} ({@code max_requeues}): how many times a task stopped that way requeues itself
 * ({@code scontrol requeue}) so that it resumes from its checkpoint with a fresh time limit; null or 0: it ends
 * FAILED (143) and {@code mergelab retry} continues it.
 */
public record Resources(String partition, String account, String qos, String time, String mem,
        Integer cpusPerTask, String gpus, String constraint, Integer stopBeforeLimit, Integer maxRequeues,
        List<String> extra) {

    public static final Resources NONE = new Resources(null, null, null, null, null, null, null, null, null, null,
            List.of());

    /** Keys accepted in a YAML section, in the order they are rendered. */
    public static final Set<String> KEYS = Set.of("partition", "account", "qos", "time", "mem", "cpus_per_task",
            "cpus-per-task", "gpus", "constraint", "stop_before_limit", "max_requeues", "extra");

    public Resources {
        extra = extra == null ? List.of() : List.copyOf(extra);
        if (time != null) {
            timeMinutes(time); // validates
        }
        if (stopBeforeLimit != null && stopBeforeLimit < 1) {
            throw new IllegalArgumentException("stop_before_limit: expected a positive number of seconds, got "
                    + stopBeforeLimit);
        }
        if (maxRequeues != null && maxRequeues < 0) {
            throw new IllegalArgumentException("max_requeues: expected 0 or more, got " + maxRequeues);
        }
        if (mem != null) {
            memMegabytes(mem);
        }
        if (cpusPerTask != null && cpusPerTask < 1) {
            throw new IllegalArgumentException("cpus_per_task: expected a positive integer, got " + cpusPerTask);
        }
    }

    /** This section with the non-null fields of {@code override} on top; extra lines are appended. */
    public Resources with(Resources override) {
        if (override == null) {
            return this;
        }
        List<String> lines = new ArrayList<>(extra);
        lines.addAll(override.extra);
        return new Resources(pick(override.partition, partition), pick(override.account, account),
                pick(override.qos, qos), pick(override.time, time), pick(override.mem, mem),
                pick(override.cpusPerTask, cpusPerTask), pick(override.gpus, gpus),
                pick(override.constraint, constraint), pick(override.stopBeforeLimit, stopBeforeLimit),
                pick(override.maxRequeues, maxRequeues), lines);
    }

    /**
     * Seconds after the task starts at which its script sends itself SIGTERM ({@code time} limit minus
     * {@code stop_before_limit}, the limit rounded up to whole minutes as Slurm does), or null when
     * {@code stop_before_limit} is unset.
     *
     * @param where names the section in error messages
     */
    public Integer stopSignalDelaySeconds(String where) {
        if (stopBeforeLimit == null) {
            return null;
        }
        if (time == null) {
            throw new IllegalArgumentException(where + ".stop_before_limit: " + stopBeforeLimit
                    + " s needs a time limit to count back from; set time as well");
        }
        long limit = timeMinutes(time) * 60L;
        if (stopBeforeLimit >= limit) {
            throw new IllegalArgumentException(where + ".stop_before_limit: " + stopBeforeLimit
                    + " s is not shorter than the time limit " + time + " (" + limit + " s)");
        }
        return (int) (limit - stopBeforeLimit);
    }

    private static <T> T pick(T a, T b) {
        return a != null ? a : b;
    }

    /**
     * Reads a YAML mapping such as {@code {partition: gpu, time: "02:00:00", cpus_per_task: 4}}.
     * {@code where} names the section in error messages (e.g. {@code "experiments/x.yaml: executor.slurm"}).
     */
    public static Resources fromMap(Map<?, ?> map, String where) {
        if (map == null) {
            return NONE;
        }
        for (Object key : map.keySet()) {
            if (!KEYS.contains(String.valueOf(key)) && !"stages".equals(String.valueOf(key))) {
                throw new IllegalArgumentException(where + "." + key + ": unknown key; expected one of "
                        + "partition, account, qos, time, mem, cpus_per_task, gpus, constraint, stop_before_limit, "
                        + "max_requeues, extra, stages (and wait_hours for the executor)");
            }
        }
        Object cpus = map.containsKey("cpus_per_task") ? map.get("cpus_per_task") : map.get("cpus-per-task");
        Integer cpusPerTask = null;
        if (cpus != null) {
            try {
                cpusPerTask = Integer.valueOf(String.valueOf(cpus).strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ".cpus_per_task: expected an integer, got '" + cpus + "'");
            }
        }
        Integer stopBeforeLimit = integer(map, "stop_before_limit", where, "whole seconds (e.g. 120)");
        Integer maxRequeues = integer(map, "max_requeues", where, "a whole number (e.g. 5)");
        Object extra = map.get("extra");
        List<String> lines = new ArrayList<>();
        if (extra instanceof List<?> list) {
            list.forEach(o -> lines.add(String.valueOf(o)));
        } else if (extra != null) {
            lines.add(String.valueOf(extra));
        }
        try {
            return new Resources(str(map, "partition"), str(map, "account"), str(map, "qos"), str(map, "time"),
                    str(map, "mem"), cpusPerTask, str(map, "gpus"), str(map, "constraint"), stopBeforeLimit,
                    maxRequeues, lines);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + "." + e.getMessage(), e);
        }
    }

    private static Integer integer(Map<?, ?> map, String key, String where, String expected) {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        try {
            return Integer.valueOf(String.valueOf(v).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + "." + key + ": expected " + expected + ", got '" + v + "'");
        }
    }

    private static String str(Map<?, ?> map, String key) {
        Object v = map.get(key);
        return v == null ? null : String.valueOf(v).strip();
    }

    /** sbatch options for these resources, e.g. {@code --partition=gpu}; extra lines without "#SBATCH". */
    public List<String> sbatchOptions() {
        List<String> out = new ArrayList<>();
        add(out, "--partition=", partition);
        add(out, "--account=", account);
        add(out, "--qos=", qos);
        add(out, "--time=", time);
        add(out, "--mem=", mem);
        add(out, "--cpus-per-task=", cpusPerTask == null ? null : cpusPerTask.toString());
        add(out, "--gpus=", gpus);
        add(out, "--constraint=", constraint);
        for (String line : extra) {
            String opt = line.strip();
            if (opt.startsWith("#SBATCH")) {
                opt = opt.substring("#SBATCH".length()).strip();
            }
            if (!opt.isEmpty()) {
                out.add(opt);
            }
        }
        return out;
    }

    private static void add(List<String> out, String prefix, String value) {
        if (value != null && !value.isBlank()) {
            out.add(prefix + value);
        }
    }

    /** Slurm time formats: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S → whole minutes (rounded up). */
    public static int timeMinutes(String time) {
        String t = time.strip();
        try {
            int days = 0;
            String rest = t;
            int dash = t.indexOf('-');
            if (dash >= 0) {
                days = Integer.parseInt(t.substring(0, dash));
                rest = t.substring(dash + 1);
            }
            String[] p = rest.split(":");
            long seconds;
            if (dash >= 0) {
                seconds = days * 86400L + Long.parseLong(p[0]) * 3600
                        + (p.length > 1 ? Long.parseLong(p[1]) * 60 : 0) + (p.length > 2 ? Long.parseLong(p[2]) : 0);
                if (p.length > 3) {
                    throw new NumberFormatException();
                }
            } else if (p.length == 1) {
                seconds = Long.parseLong(p[0]) * 60;
            } else if (p.length == 2) {
                seconds = Long.parseLong(p[0]) * 60 + Long.parseLong(p[1]);
            } else if (p.length == 3) {
                seconds = Long.parseLong(p[0]) * 3600 + Long.parseLong(p[1]) * 60 + Long.parseLong(p[2]);
            } else {
                throw new NumberFormatException();
            }
            return (int) ((seconds + 59) / 60);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("time: '" + time + "' is not a Slurm time "
                    + "(minutes, H:MM:SS or D-HH:MM:SS)");
        }
    }

    /** sbatch memory sizes: 500 (MB), 500M, 16G, 1T → megabytes. */
    public static long memMegabytes(String mem) {
        String m = mem.strip().toUpperCase(Locale.ROOT);
        long factor = 1;
        char unit = m.isEmpty() ? ' ' : m.charAt(m.length() - 1);
        switch (unit) {
            case 'K' -> factor = -1024;
            case 'M' -> factor = 1;
            case 'G' -> factor = 1024;
            case 'T' -> factor = 1024L * 1024;
            default -> unit = 0;
        }
        String number = unit == 0 ? m : m.substring(0, m.length() - 1);
        try {
            long n = Long.parseLong(number);
            return factor < 0 ? Math.max(1, n / -factor) : n * factor;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("mem: '" + mem + "' is not a memory size (e.g. 500M, 16G)");
        }
    }
}
