package io.mergelab.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one table of settings drives parsing, ranges, the dump and the unsupported arguments, for every row. */
class TrainingArgsTableTest {
    /** Every argument may be set on these without a check between arguments failing. */
    private static final TrainingArgs BASE = TrainingArgs.defaults().with("eval_strategy", "epoch");

    /** A valid value other than the default, as text (YAML and key=value read the same text). */
    private static String sample(TrainingSetting s) {
        return switch (s.kind) {
            case NUMBER -> s.range.max() != null ? "0.25" : s.range.min() != null ? "0.75" : "0.5";
            case STEPS_OR_RATIO -> "7";
            case INTEGER, LONG -> Long.toString((long) (s.range.min() == null ? 0 : s.range.min()) + 3);
            case BOOLEAN -> "true";
            case CHOICE -> s.choices().stream().filter(c -> !c.equals(TrainingSetting.show(s.defaultValue)))
                    .findFirst().orElseThrow();
            case METRIC -> "eval_accuracy";
        };
    }

    private static Object expected(TrainingSetting s) {
        return switch (s.kind) {
            case NUMBER, STEPS_OR_RATIO -> Double.parseDouble(sample(s));
            case INTEGER -> Integer.parseInt(sample(s));
            case LONG -> Long.parseLong(sample(s));
            case BOOLEAN -> true;
            case CHOICE -> sample(s);
            case METRIC -> "accuracy";
        };
    }

    @Test
    void everySettingParsesFromYamlAndFromKeyValueAndSayingItsName() {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        for (TrainingSetting s : TrainingSetting.values()) {
            for (String name : names(s)) {
                Map<String, Object> block = yaml.load("training_args:\n  " + name + ": " + sample(s) + "\n");
                @SuppressWarnings("unchecked")
                Map<String, Object> args = (Map<String, Object>) block.get("training_args");
                TrainingArgs fromYaml = BASE.withAll(args);
                TrainingArgs fromText = BASE.withAssignment(name + "=" + sample(s));
                assertEquals(expected(s), fromYaml.explicitValues().get(s.key), name + " from YAML");
                assertEquals(fromYaml, fromText, name + " from key=value");
                assertEquals(fromYaml, BASE.with(name.toUpperCase(java.util.Locale.ROOT).replace('_', '-'), sample(s)),
                        name + " in another case, with dashes");
                assertEquals(s.key, TrainingArgs.checkEntry(name, args.get(name)).canonical());
                if (s.effective != null) {
                    assertNotEquals(BASE.effectiveValues().get(s.key), fromYaml.effectiveValues().get(s.key),
                            name + " changes its effective value");
                }
            }
        }
    }

    @Test
    void aValueOutOfRangeIsRefusedNamingTheKeyAndTheRange() {
        int bounded = 0;
        for (TrainingSetting s : TrainingSetting.values()) {
            TrainingSetting.Range r = s.range;
            List<Object> bad = new ArrayList<>();
            if (r.min() != null) {
                bad.add(r.minOpen() ? r.min() : r.min() - 1);
            }
            if (r.max() != null) {
                bad.add(r.maxOpen() ? r.max() : r.max() + 1);
            }
            for (Object v : bad) {
                bounded++;
                Object value = s.kind == TrainingSetting.Kind.INTEGER || s.kind == TrainingSetting.Kind.LONG
                        ? (Object) (long) (double) (Double) v : v;
                TrainingArgs.BadArgument e = assertThrows(TrainingArgs.BadArgument.class,
                        () -> BASE.with(s.key, value), s.key + "=" + value);
                assertEquals("training argument " + s.key + ": expected " + s.expected() + ", got " + value,
                        e.getMessage());
                assertTrue(e.getMessage().contains(r.describe()), e.getMessage());
                assertEquals(e.getMessage(), assertThrows(TrainingArgs.BadArgument.class,
                        () -> TrainingArgs.checkEntry(s.key, value)).getMessage(), "the config's check is the same");
            }
            if (s.kind == TrainingSetting.Kind.CHOICE || s.kind == TrainingSetting.Kind.BOOLEAN) {
                assertTrue(assertThrows(TrainingArgs.BadArgument.class, () -> BASE.with(s.key, "maybe")).getMessage()
                        .startsWith("training argument " + s.key + ": expected "));
            }
        }
        assertTrue(bounded > 20, "bounds tried: " + bounded);
        assertEquals("training argument per_device_train_batch_size: expected an integer >= 1, got 8.5",
                assertThrows(TrainingArgs.BadArgument.class,
                        () -> BASE.with("per_device_train_batch_size", 8.5)).getMessage());
        assertEquals("training argument metric_for_best_model: unknown metric 'bleu' (expected accuracy, f1_macro, "
                + "f1_weighted, loss or ece)", assertThrows(TrainingArgs.BadArgument.class,
                () -> BASE.with("metric_for_best_model", "eval_bleu")).getMessage());
    }

    @Test
    void everyDefaultIsInItsRangeAndTheDumpHasEverySettingButShorthands() {
        for (TrainingSetting s : TrainingSetting.values()) {
            if (s.defaultValue instanceof Number n) {
                assertTrue(s.range.contains(n.doubleValue()), s.key);
            }
        }
        List<String> dumped = Arrays.stream(TrainingSetting.values()).filter(s -> s.effective != null)
                .map(s -> s.key).toList();
        assertEquals(dumped, List.copyOf(TrainingArgs.defaults().effectiveValues().keySet()));
        assertEquals(List.of("dropout"), Arrays.stream(TrainingSetting.values()).filter(s -> s.effective == null)
                .map(s -> s.key).toList());
    }

    /** The dump is training_state.json's args (a resume compares them) and the pre-training step's identity. */
    @Test
    void theDumpKeepsItsShape() throws IOException {
        assertEquals("{\"learning_rate\":5.0E-5,\"per_device_train_batch_size\":8,\"per_device_eval_batch_size\":8,"
                        + "\"num_train_epochs\":3.0,\"max_steps\":-1,\"weight_decay\":0.0,\"warmup_ratio\":0.0,"
                        + "\"warmup_steps\":0.0,\"lr_scheduler_type\":\"linear\",\"gradient_accumulation_steps\":1,"
                        + "\"max_grad_norm\":1.0,\"eval_strategy\":\"no\",\"eval_steps\":10,\"save_strategy\":\"steps\","
                        + "\"save_steps\":500,\"load_best_model_at_end\":false,\"metric_for_best_model\":\"loss\","
                        + "\"greater_is_better\":false,\"early_stopping_patience\":0,\"seed\":42,\"max_length\":128,"
                        + "\"resid_pdrop\":null,\"embd_pdrop\":null,\"attn_pdrop\":null,\"freeze\":\"none\","
                        + "\"train_last_n_layers\":-1,\"adam_beta1\":0.9,\"adam_beta2\":0.999,\"adam_epsilon\":1.0E-8,"
                        + "\"logging_steps\":10}",
                new ObjectMapper().writeValueAsString(TrainingArgs.defaults().effectiveValues()));
        Map<String, Object> m = TrainingArgs.fromMap(Map.of("warmup_steps", 0.2, "dropout", 0.1, "resid_pdrop", 0.0,
                "metric_for_best_model", "eval_f1_macro", "eval_strategy", "steps", "eval_steps", 0)).effectiveValues();
        assertEquals(0.2, m.get("warmup_ratio"));
        assertEquals(0.2, m.get("warmup_steps"));
        assertEquals(0.0, m.get("resid_pdrop"));
        assertEquals(0.1, m.get("attn_pdrop"));
        assertEquals("f1_macro", m.get("metric_for_best_model"));
        assertEquals(true, m.get("greater_is_better"));
        assertEquals(10, m.get("eval_steps"), "0 means logging_steps, as in transformers");
    }

    @Test
    void ignoredArgumentsWarnWithTheirReasonAndRefusedOnesSayWhy() {
        TrainingArgs a = TrainingArgs.fromMap(new LinkedHashMap<>(Map.of("fp16", true)))
                .with("push_to_hub", true).with("optim", "adamw_torch").with("Report-To", "wandb");
        assertEquals(List.of("fp16", "push_to_hub", "optim", "report_to"), a.ignoredKeys());
        assertEquals(List.of(
                "training argument fp16 has no effect: " + UnsupportedArgument.Why.PRECISION.text,
                "training argument push_to_hub has no effect: mergelab never uploads to the Hugging Face Hub",
                "training argument optim has no effect: mergelab does this already (" + UnsupportedArgument.OPTIM.refusal
                        + ")",
                "training argument report_to has no effect: " + UnsupportedArgument.Why.TRACKING.text), a.warnings());
        assertEquals(TrainingArgs.defaults(), a, "ignored arguments change nothing");
        TrainingArgs.Entry e = TrainingArgs.checkEntry("output_dir", "runs/x");
        assertTrue(e.ignored() && e.ignoredBecause().equals(UnsupportedArgument.Why.PLACE.text), e.toString());
        assertEquals("training argument optim: not supported: " + UnsupportedArgument.OPTIM.refusal
                        + " (accepted: adamw_torch, adamw_torch_fused)",
                assertThrows(TrainingArgs.BadArgument.class, () -> a.with("optim", "sgd")).getMessage());
        assertEquals("training argument label_smoothing_factor: not supported: the loss is plain cross-entropy "
                + "(accepted: 0)", assertThrows(TrainingArgs.BadArgument.class,
                () -> a.with("label_smoothing_factor", 0.1)).getMessage());
        assertTrue(a.with("label_smoothing_factor", 0.0).ignoredKeys().contains("label_smoothing_factor"));
        assertTrue(a.with("neftune_noise_alpha", null).ignoredKeys().contains("neftune_noise_alpha"));
        assertThrows(TrainingArgs.BadArgument.class, () -> a.with("neftune_noise_alpha", 5));
        assertTrue(assertThrows(TrainingArgs.BadArgument.class, () -> a.with("warmup_step", 3)).unknown());
    }

    @Test
    void checksBetweenArgumentsRunOnceAllAreIn() {
        assertEquals("training arguments: load_best_model_at_end needs eval_strategy epoch or steps",
                assertThrows(IllegalArgumentException.class,
                        () -> TrainingArgs.fromMap(Map.of("load_best_model_at_end", true))).getMessage());
        assertTrue(TrainingArgs.fromMap(new LinkedHashMap<>(Map.of("load_best_model_at_end", true,
                "eval_strategy", "epoch"))).loadBestModelAtEnd(), "order within one map does not matter");
        assertEquals(10, TrainingArgs.fromMap(Map.of("num_train_epochs", 0, "max_steps", 10)).maxSteps());
        assertThrows(IllegalArgumentException.class, () -> TrainingArgs.fromMap(Map.of("num_train_epochs", 0)));
        assertThrows(IllegalArgumentException.class, () -> TrainingArgs.fromMap(Map.of("freeze", "backbone",
                "train_last_n_layers", 2)));
        assertEquals(TrainingArgs.Strategy.NO, TrainingArgs.fromMap(Map.of("eval_strategy", false)).evalStrategy(),
                "YAML 1.1 reads an unquoted no as false");
        assertEquals(TrainingArgs.Freeze.NONE, TrainingArgs.fromMap(Map.of("freeze", "no")).freeze());
    }

    @Test
    void aStudyConfigKeepsValuesTypedAsBeforeAndOneSpellingPerArgument() {
        assertEquals(2e-5, TrainingArgs.checkEntry("learning_rate", "2e-5").configValue(), "YAML 1.1's 2e-5");
        assertEquals(1.0, TrainingArgs.checkEntry("num_train_epochs", 1L).configValue());
        assertEquals(16L, TrainingArgs.checkEntry("per_device_train_batch_size", 16L).configValue());
        assertEquals(100L, TrainingArgs.checkEntry("warmup_steps", 100L).configValue());
        assertEquals(0.1, TrainingArgs.checkEntry("warmup_steps", 0.1).configValue());
        assertEquals("EPOCH", TrainingArgs.checkEntry("evaluation_strategy", "EPOCH").configValue());
        assertEquals("eval_strategy", TrainingArgs.checkEntry("evaluation_strategy", "EPOCH").canonical());
        Map<String, Object> over = TrainingArgs.overlay(Map.of("evaluation_strategy", "epoch", "lr", 0.1),
                Map.of("eval_strategy", "no", "lr", 0.2));
        assertEquals(Map.of("eval_strategy", "no", "lr", 0.2), over);
    }

    /**
     * Names and defaults against transformers' own (golden/train/training-arguments.json, written by
     * tools/golden/make_training_args_golden.py): every field is declared exactly once, as a setting or as
     * unsupported, and a setting's default is transformers' unless its row says what transformers' is.
     */
    @Test
    void everyTransformersArgumentIsDeclaredOnceWithItsDefault() throws IOException {
        JsonNode golden = new ObjectMapper().readTree(Path.of("src/test/resources/golden/train/training-arguments.json")
                .toFile());
        assertTrue(golden.path("transformers").asText().startsWith(TrainingArgsDoc.TRANSFORMERS + "."),
                golden.path("transformers").asText());
        JsonNode defaults = golden.path("defaults");
        Set<String> fields = new TreeSet<>();
        defaults.fieldNames().forEachRemaining(fields::add);
        Set<String> declared = new HashSet<>();
        for (TrainingSetting s : TrainingSetting.values()) {
            assertTrue(declared.add(s.key), s.key);
            s.aliases.forEach(a -> assertTrue(declared.add(a), a));
            boolean transformers = s.origin == TrainingSetting.Origin.TRAINING_ARGUMENTS;
            assertEquals(transformers, fields.contains(s.key), s.key + ": origin " + s.origin);
            if (transformers && s.transformersDefault == null) {
                JsonNode d = defaults.get(s.key);
                if (s.defaultValue == null) {
                    assertTrue(d.isNull(), s.key + ": transformers' default " + d);
                } else if (s.defaultValue instanceof Number n) {
                    assertEquals(d.asDouble(), n.doubleValue(), 0, s.key);
                } else {
                    assertEquals(d.asText(), String.valueOf(TrainingSetting.plain(s.defaultValue)), s.key);
                }
            }
        }
        for (UnsupportedArgument u : UnsupportedArgument.values()) {
            assertTrue(declared.add(u.key), u.key + " is declared twice");
            assertEquals(!u.removedIn5, fields.contains(u.key), u.key + ": marked as gone from transformers 5?");
        }
        List<String> missing = fields.stream().filter(f -> !declared.contains(f)).toList();
        assertEquals(List.of(), missing, "transformers arguments neither implemented nor listed as unsupported");
        assertFalse(declared.contains("max_seq_length"), "TRL's name, not transformers'");
    }

    private static List<String> names(TrainingSetting s) {
        List<String> out = new ArrayList<>(List.of(s.key));
        out.addAll(s.aliases);
        return out;
    }
}
