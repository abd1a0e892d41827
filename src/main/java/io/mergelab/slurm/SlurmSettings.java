package io.mergelab.slurm;

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

    /** The resources for a stage: the section's values with the stage's override on top. */
    public Resources forStage(String stage) {
        return defaults.with(stages.get(stage));
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
                Resources gpu = new Resources(null, null, null, null, null, null, Integer.toString(gpus), null, null,
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
