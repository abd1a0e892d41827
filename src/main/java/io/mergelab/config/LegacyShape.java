package io.mergelab.config;

import io.mergelab.yaml.ConfigException;

import io.mergelab.yaml.Fields;

import io.mergelab.yaml.Node;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The seed study's shape, {@code config: {dataset, model, training_args, mergekit_config}}, rewritten into a
 * study: the dataset becomes the only dataset, the model the base, each model named in
 * {@code mergekit_config.models} a variant fine-tuned on its own disjoint slice, and the mergekit config one merge
 * (linear when it names no method). Marks are kept, so errors still point into the original file.
 */
final class LegacyShape {
    private LegacyShape() {
    }

    static Node.MapNode translate(Node.MapNode root, Path file, List<String> notes) {
        Fields top = new Fields(root, "");
        top.allowOnly(List.of("config", "name", "seed"));
        Fields cfg = new Fields(top.require("config"), "config");
        cfg.allowOnly(List.of("dataset", "model", "training_args", "mergekit_config"));
        notes.add(file.getFileName() + ": seed-study shape (config: {dataset, model, training_args, mergekit_config}) "
                + "read as a study");
        Map<String, Node.Entry> out = new LinkedHashMap<>();
        copy(top, "name", out);
        copy(top, "seed", out);
        Node dataset = cfg.require("dataset");
        put(out, "datasets", new Node.ListNode(List.of(dataset), dataset.mark()));
        if (cfg.has("model")) {
            put(out, "base_model", cfg.get("model"));
        }
        if (cfg.has("training_args")) {
            put(out, "training_args", cfg.get("training_args"));
        }
        if (cfg.has("mergekit_config")) {
            Fields mk = new Fields(cfg.get("mergekit_config"), "config.mergekit_config");
            mk.allowOnly(List.of("models", "merge_method", "base_model", "parameters", "dtype", "tokenizer_source"));
            Node modelsNode = mk.require("models");
            List<Node> models = modelsNode instanceof Node.ListNode l ? l.items() : List.of();
            if (models.isEmpty()) {
                throw new ConfigException(modelsNode.mark(), "config.mergekit_config.models: expected a non-empty list");
            }
            Set<String> names = new LinkedHashSet<>();
            List<Node> variants = new ArrayList<>();
            for (Node m : models) {
                Node nameNode = m instanceof Node.MapNode mm ? new Fields(mm, "config.mergekit_config.models[]")
                        .require("model") : m;
                String name = Fields.asString(nameNode, "config.mergekit_config.models[].model");
                names.add(name);
                Map<String, Node.Entry> v = new LinkedHashMap<>();
                put(v, "name", nameNode);
                if (models.size() > 1) {
                    put(v, "slice", new Node.Scalar((variants.size()) + "/" + models.size(), Node.ScalarType.STR,
                            nameNode.mark()));
                }
                variants.add(new Node.MapNode(v, m.mark()));
            }
            put(out, "variants", new Node.ListNode(variants, modelsNode.mark()));
            Map<String, Node.Entry> merge = new LinkedHashMap<>();
            put(merge, "name", new Node.Scalar("mergekit_config", Node.ScalarType.STR, mk.mark()));
            if (mk.has("merge_method")) {
                put(merge, "merge_method", mk.get("merge_method"));
            } else {
                notes.add(mk.mark() + ": config.mergekit_config names no merge_method: merging with 'linear'");
                put(merge, "merge_method", new Node.Scalar("linear", Node.ScalarType.STR, mk.mark()));
            }
            put(merge, "models", modelsNode);
            if (mk.has("base_model")) {
                Node b = mk.get("base_model");
                String ref = Fields.asString(b, "config.mergekit_config.base_model");
                put(merge, "base_model", names.contains(ref) ? b
                        : new Node.Scalar(StudyConfigParser.BASE, Node.ScalarType.STR, b.mark()));
            }
            if (mk.has("parameters")) {
                put(merge, "parameters", mk.get("parameters"));
            }
            put(out, "merges", new Node.ListNode(List.of(new Node.MapNode(merge, mk.mark())), mk.mark()));
        }
        return new Node.MapNode(out, root.mark());
    }

    private static void copy(Fields from, String key, Map<String, Node.Entry> out) {
        Node.Entry e = from.node().entries().get(key);
        if (e != null) {
            out.put(key, e);
        }
    }

    private static void put(Map<String, Node.Entry> out, String key, Node value) {
        out.put(key, new Node.Entry(key, value.mark(), value));
    }
}
