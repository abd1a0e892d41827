package io.mergelab.config;

import io.mergelab.yaml.ConfigException;

import io.mergelab.yaml.Mark;

import io.mergelab.yaml.Node;

import io.mergelab.config.StudyConfig.DatasetRef;
import io.mergelab.config.StudyConfig.StudySearch;
import io.mergelab.data.Suggest;
import io.mergelab.search.SearchConfig;
import io.mergelab.search.SearchConfigParser;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A study's {@code search:} section: read by {@link SearchConfigParser} (one grammar for standalone and embedded
 * searches), then tied to the study: merged model names must be variants, {@code base_model} must be
 * {@code base} or a variant (paths written there only name the model by their last element), and every
 * objective dataset must be one of the study's (by name or by spec file), so candidates are scored on the
 * study's own validation split.
 */
final class StudySearchSection {
    private StudySearchSection() {
    }

    static StudySearch read(Node section, Path configFile, Set<String> variants, List<DatasetRef> datasets,
                            Set<String> takenNames) {
        Path baseDir = section.mark().line() > 0 ? Path.of(section.mark().source()).toAbsolutePath().getParent()
                : configFile.getParent();
        SearchConfig config = SearchConfigParser.parse(section, baseDir);
        Node.MapNode s = (Node.MapNode) section;
        Node.MapNode merge = (Node.MapNode) s.get("merge");
        if (!config.name().matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new ConfigException(s.has("name") ? s.get("name").mark() : s.mark(), "search.name: expected "
                    + "letters, digits, '.', '_' or '-' (it names the search's report row), got '" + config.name() + "'");
        }
        if (takenNames.contains(config.name())) {
            throw new ConfigException(s.has("name") ? s.get("name").mark() : s.mark(), "search.name: '"
                    + config.name() + "' is already a variant or merge name (they share one name space in the report)");
        }
        Node models = merge.get("models");
        List<Node> modelNodes = models instanceof Node.ListNode l ? l.items()
                : ((Node.MapNode) models).entries().values().stream().map(e -> (Node) e.value()).toList();
        List<String> names = new ArrayList<>(config.merge().models().keySet());
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            if (!variants.contains(n)) {
                Mark at = models instanceof Node.MapNode m ? m.entries().get(n).keyMark() : modelNodes.get(i).mark();
                throw new ConfigException(at, "search.merge.models: no variant named '" + n + "'" + hint(n, variants)
                        + "; in a study the searched models are variants (" + String.join(", ", variants) + ")");
            }
        }
        config.merge().baseModel().ifPresent(b -> {
            String n = b.getFileName().toString();
            if (!n.equals(StudyConfigParser.BASE) && !variants.contains(n)) {
                throw new ConfigException(merge.get("base_model").mark(), "search.merge.base_model: expected 'base' "
                        + "(the pre-trained model) or a variant name, got '" + n + "'");
            }
        });
        if (config.keepBest() < 1) {
            throw new ConfigException(s.has("keep_best") ? s.get("keep_best").mark() : s.mark(), "search.keep_best: "
                    + "expected at least 1 in a study (the best checkpoint is evaluated on test by the study)");
        }
        List<Node> objectiveNodes = ((Node.ListNode) ((Node.MapNode) s.get("objective")).get("datasets")).items();
        List<String> objective = new ArrayList<>();
        for (int i = 0; i < config.objective().datasets().size(); i++) {
            Path spec = config.objective().datasets().get(i).spec();
            DatasetRef d = studyDataset(spec, datasets);
            if (d == null) {
                throw new ConfigException(objectiveNodes.get(i).mark(), "search.objective.datasets[" + i + "]: '"
                        + spec.getFileName() + "' is not a dataset of this study; expected one of "
                        + String.join(", ", datasets.stream().map(DatasetRef::name).toList()));
            }
            objective.add(d.name());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> written = (Map<String, Object>) section.plain();
        return new StudySearch(config, objective, written, section.mark());
    }

    /** The study dataset a search names: by spec file, or by name (with or without .yaml). */
    private static DatasetRef studyDataset(Path spec, List<DatasetRef> datasets) {
        String stem = spec.getFileName().toString().replaceFirst("(?i)\\.ya?ml$", "");
        for (DatasetRef d : datasets) {
            if (d.specFile() != null && d.specFile().toAbsolutePath().normalize().equals(spec.normalize())) {
                return d;
            }
        }
        for (DatasetRef d : datasets) {
            if (d.name().toLowerCase(Locale.ROOT).equals(stem.toLowerCase(Locale.ROOT))) {
                return d;
            }
        }
        return null;
    }

    private static String hint(String name, Set<String> options) {
        String h = Suggest.closest(name, options);
        return h != null ? " (did you mean '" + h + "'?)" : "";
    }
}
