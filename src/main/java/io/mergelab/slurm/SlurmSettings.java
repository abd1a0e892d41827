package io.mergelab.slurm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code executor.slurm} section of a config: resources for every stage, and per-stage overrides.
 * <pre>
 * executor:
 *   slurm:
 *     partition: gpu
 *     time: "02:00:00"
 *     cpus_per_task: 4
 *     extra: ["--mail-type=END"]
 *     stages:
 *       finetune: {gpus: 1, mem: 32G}
 *       report: {time: "00:10:00"}
 *     wait_hours: 72          # how long `run --executor slurm` follows its jobs before it gives up
 * </pre>
 * One reader for the section, so the executor and {@code slurm render} accept the same keys.
 */
public record SlurmSettings(Resources defaults, Map<String, Resources> stages, double waitHours) {

    public static final double DEFAULT_WAIT_HOURS = 72;
    public static final SlurmSettings DEFAULTS = new SlurmSettings(Resources.NONE, Map.of(), DEFAULT_WAIT_HOURS);

    public SlurmSettings {
        defaults = defaults == null ? Resources.NONE : defaults;
        stages = stages == null ? Map.of() : Map.copyOf(stages);
    }

    /** Where the resources every study starts from live, relative to the checkout. */
    public static final String STAGE_DEFAULTS = "configs/presets/slurm-stages.yaml";

    /**
     * The resources for a stage: the section's values with the stage's override on top; a stage {@code KIND-N}
     * (a later wave of one kind) takes KIND's override when it has none of its own.
     */
    public Resources forStage(String stage) {
        Resources own = stages.get(stage);
        if (own == null) {
            own = stages.get(stage.replaceFirst("-\\d+$", ""));
        }
        return defaults.with(own);
    }

    /**
     * A study's {@code executor.slurm} section on top of the checkout's {@link #STAGE_DEFAULTS}: their
     * {@code slurm:} values, then their per-kind values, then the study's section values, then the study's
     * per-stage values. Without the file (an installation that removed it) the study's section alone counts.
     */
    public static SlurmSettings forStudy(Map<?, ?> section, String where, Path home) {
        SlurmSettings study = fromMap(section, where);
        Path file = home.resolve(STAGE_DEFAULTS);
        if (!Files.isRegularFile(file)) {
            return study;
        }
        Object root;
        try (var in = Files.newBufferedReader(file)) {
            root = new org.yaml.snakeyaml.Yaml().load(in);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (!(root instanceof Map<?, ?> top) || !(top.get("slurm") instanceof Map<?, ?> base)) {
            throw new IllegalArgumentException(file + ": expected a 'slurm:' mapping of resources");
        }
        return layered(fromMap(base, file + ": slurm"), study);
    }

    /** {@code top} over {@code base}, in the order {@link #forStudy} describes. */
    static SlurmSettings layered(SlurmSettings base, SlurmSettings top) {
        Map<String, Resources> merged = new LinkedHashMap<>();
        java.util.Set<String> names = new java.util.LinkedHashSet<>(base.stages.keySet());
        names.addAll(top.stages.keySet());
        for (String name : names) {
            Resources r = base.stages.getOrDefault(name, Resources.NONE).with(top.defaults);
            merged.put(name, r.with(top.stages.get(name)));
        }
        return new SlurmSettings(base.defaults.with(top.defaults), merged, top.waitHours);
    }

    /**
     * Refuses a JVM heap ({@code -Xmx} in {@code javaOpts}, e.g. MERGELAB_JAVA_OPTS passed on to the jobs) that
     * does not fit a stage's memory; without {@code -Xmx} each job takes half its memory, which always fits.
     */
    public void checkHeap(String javaOpts, java.util.Collection<String> stageNames, String where) {
        if (javaOpts == null) {
            return;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("-Xmx(\\d+)([kKmMgGtT]?)").matcher(javaOpts);
        Long heapMb = null;
        while (m.find()) { // the JVM takes the last one
            long n = Long.parseLong(m.group(1));
            heapMb = switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
                case "k" -> n / 1024;
                case "m" -> n;
                case "g" -> n * 1024;
                case "t" -> n * 1024 * 1024;
                default -> n / (1024 * 1024);
            };
        }
        if (heapMb == null) {
            return;
        }
        for (String stage : stageNames) {
            Resources r = forStage(stage);
            if (r.mem() != null && heapMb >= Resources.memMegabytes(r.mem())) {
                throw new IllegalArgumentException(where + ": the JVM heap " + heapMb + " MB (MERGELAB_JAVA_OPTS "
                        + javaOpts.strip() + ") does not fit stage " + stage + "'s mem " + r.mem()
                        + "; lower -Xmx (libtorch needs memory beside it) or raise executor.slurm.stages." + stage
                        + ".mem");
            }
        }
    }

    /**
     * These settings with {@code --gpus=N} for the stages named whose resources say nothing about GPUs (the study asked
     * for a CUDA device); a section or stage that names gpus, or {@code --gres} in extra, is left as written.
     */
    public SlurmSettings withGpusWhereUnset(int gpus, java.util.Collection<String> stageNames) {
        if (gpus <= 0) {
            return this;
        }
        Map<String, Resources> out = new LinkedHashMap<>(stages);
        for (String stage : stageNames) {
            Resources r = forStage(stage);
            boolean gres = r.extra().stream().anyMatch(l -> l.contains("--gres") || l.contains("--gpus"));
            if (r.gpus() == null && !gres) {
                Resources gpu = new Resources(null, null, null, null, null, null, Integer.toString(gpus), null, null, null,
                        null);
                out.put(stage, stages.getOrDefault(stage, Resources.NONE).with(gpu));
            }
        }
        return new SlurmSettings(defaults, out, waitHours);
    }

    /** Reads the section (a YAML mapping, or null for none); {@code where} prefixes error messages. */
    public static SlurmSettings fromMap(Map<?, ?> section, String where) {
        if (section == null) {
            return DEFAULTS;
        }
        Map<Object, Object> resources = new LinkedHashMap<>(section);
        Object hours = resources.remove("wait_hours");
        double waitHours = DEFAULT_WAIT_HOURS;
        if (hours != null) {
            try {
                waitHours = Double.parseDouble(String.valueOf(hours));
            } catch (NumberFormatException e) {
                waitHours = Double.NaN;
            }
            if (!(waitHours > 0)) {
                throw new IllegalArgumentException(where + ".wait_hours: expected a number of hours above 0, got "
                        + hours);
            }
        }
        Resources defaults = Resources.fromMap(resources, where);
        Map<String, Resources> stages = new LinkedHashMap<>();
        Object s = section.get("stages");
        if (s instanceof Map<?, ?> perStage) {
            for (Map.Entry<?, ?> e : perStage.entrySet()) {
                String name = String.valueOf(e.getKey());
                if (!(e.getValue() instanceof Map<?, ?> m)) {
                    throw new IllegalArgumentException(where + ".stages." + name + ": expected a mapping of resources");
                }
                if (m.containsKey("stages")) {
                    throw new IllegalArgumentException(where + ".stages." + name + ".stages: stages do not nest");
                }
                stages.put(name, Resources.fromMap(m, where + ".stages." + name));
            }
        } else if (s != null) {
            throw new IllegalArgumentException(where + ".stages: expected a mapping stage -> resources");
        }
        // stop_before_limit against each time limit it applies to, now rather than at submission; a stage with no
        // time limit at all is refused when it is rendered (its name is not known here unless listed)
        if (defaults.time() != null) {
            defaults.stopSignalDelaySeconds(where);
        }
        stages.forEach((name, r) -> {
            Resources merged = defaults.with(r);
            if (merged.time() != null) {
                merged.stopSignalDelaySeconds(where + ".stages." + name);
            }
        });
        return new SlurmSettings(defaults, stages, waitHours);
    }
}
