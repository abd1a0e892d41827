package io.mergelab.config;

import io.mergelab.yaml.Node;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A study config as mergelab read it: the file with its {@code extends:} chain, environment variables and
 * {@code --set} overrides applied, as YAML whose header names the file and lists the overrides. Recorded beside
 * the raw file (MLflow's study run) so that a run can be reproduced from what it actually used.
 */
public final class ResolvedConfig {
    private ResolvedConfig() {}

    public static String yaml(Path home, Map<String, String> env, Path file, List<String> overrides) {
        Node.MapNode root = new ConfigLayers(env, home.resolve("configs")).load(file, overrides);
        StringBuilder s = new StringBuilder();
        s.append("# ").append(file.toAbsolutePath().normalize())
                .append(" as mergelab read it (extends: and ${VARS} resolved, --set applied)\n");
        if (overrides.isEmpty()) {
            s.append("# overrides: none\n");
        } else {
            s.append("# overrides:\n");
            overrides.forEach(o -> s.append("#   --set ").append(o).append('\n'));
        }
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setWidth(120);
        return s.append(new Yaml(o).dump(root.plain())).toString();
    }
}
