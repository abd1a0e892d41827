package io.mergelab.train;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * transformers' {@code TrainingArguments} that mergelab does not implement, each with why: so a researcher's
 * existing block is read, not rejected for a key that cannot matter here. One that has no effect on the trained
 * model is accepted with a one-line note; one that would change results is refused, unless its value is the one
 * mergelab's training matches (a no-op then, noted like the others). TrainingArgsTableTest checks that this table
 * and {@link TrainingSetting} together name every field of transformers' TrainingArguments.
 */
enum UnsupportedArgument {
    OUTPUT_DIR(Why.PLACE),
    LOGGING_DIR(Why.PLACE, Removed.IN_5),
    OVERWRITE_OUTPUT_DIR(Why.OVERWRITE, Removed.IN_5),
    RESUME_FROM_CHECKPOINT(Why.RESUME),
    PUSH_TO_HUB(Why.HUB),
    HUB_TOKEN(Why.HUB),
    HUB_PRIVATE_REPO(Why.HUB),
    HUB_MODEL_ID(Why.HUB),
    HUB_STRATEGY(Why.HUB),
    HUB_ALWAYS_PUSH(Why.HUB),
    HUB_REVISION(Why.HUB),
    REPORT_TO(Why.TRACKING),
    RUN_NAME(Why.TRACKING),
    PROJECT(Why.TRACKING),
    TRACKIO_SPACE_ID(Why.TRACKING),
    TRACKIO_BUCKET_ID(Why.TRACKING),
    TRACKIO_STATIC_SPACE_ID(Why.TRACKING),
    LOGGING_STRATEGY(Why.CONSOLE),
    LOGGING_FIRST_STEP(Why.CONSOLE),
    LOG_ON_EACH_NODE(Why.CONSOLE),
    LOGGING_NAN_INF_FILTER(Why.CONSOLE),
    LOG_LEVEL(Why.CONSOLE),
    LOG_LEVEL_REPLICA(Why.CONSOLE),
    DISABLE_TQDM(Why.CONSOLE),
    INCLUDE_NUM_INPUT_TOKENS_SEEN(Why.CONSOLE),
    SKIP_MEMORY_METRICS(Why.CONSOLE),
    DEBUG(Why.CONSOLE),
    DO_TRAIN(Why.PIPELINE),
    DO_EVAL(Why.PIPELINE),
    DO_PREDICT(Why.PIPELINE),
    USE_CPU(Why.DEVICE),
    NO_CUDA(Why.DEVICE, Removed.IN_5),
    USE_MPS_DEVICE(Why.DEVICE, Removed.IN_5),
    FP16(Why.PRECISION),
    BF16(Why.PRECISION),
    FP16_FULL_EVAL(Why.PRECISION),
    BF16_FULL_EVAL(Why.PRECISION),
    TF32(Why.PRECISION),
    ACTIVATION_CHECKPOINTING(Why.SPEED),
    ACTIVATION_CHECKPOINTING_KWARGS(Why.SPEED),
    GRADIENT_CHECKPOINTING(Why.SPEED),
    GRADIENT_CHECKPOINTING_KWARGS(Why.SPEED),
    TORCH_COMPILE(Why.SPEED),
    TORCH_COMPILE_BACKEND(Why.SPEED),
    TORCH_COMPILE_MODE(Why.SPEED),
    USE_LIGER_KERNEL(Why.SPEED),
    LIGER_KERNEL_CONFIG(Why.SPEED),
    TORCH_EMPTY_CACHE_STEPS(Why.SPEED),
    USE_CACHE(Why.SPEED),
    DATALOADER_NUM_WORKERS(Why.LOADER),
    DATALOADER_PIN_MEMORY(Why.LOADER),
    DATALOADER_PERSISTENT_WORKERS(Why.LOADER),
    DATALOADER_PREFETCH_FACTOR(Why.LOADER),
    DATALOADER_MULTIPROCESSING_CONTEXT(Why.LOADER),
    DATALOADER_IN_ORDER(Why.LOADER),
    REMOVE_UNUSED_COLUMNS(Why.COLUMNS),
    LABEL_NAMES(Why.COLUMNS),
    LENGTH_COLUMN_NAME(Why.COLUMNS),
    PREDICTION_LOSS_ONLY(Why.EVALUATION),
    INCLUDE_FOR_METRICS(Why.EVALUATION),
    BATCH_EVAL_METRICS(Why.EVALUATION),
    EVAL_DO_CONCAT_BATCHES(Why.EVALUATION),
    EVAL_USE_GATHER_OBJECT(Why.EVALUATION),
    EVAL_ACCUMULATION_STEPS(Why.EVALUATION),
    SAVE_TOTAL_LIMIT(Why.CHECKPOINTS),
    SAVE_ONLY_MODEL(Why.CHECKPOINTS),
    SAVE_ON_EACH_NODE(Why.CHECKPOINTS),
    SAVE_SAFETENSORS(Why.CHECKPOINTS, Removed.IN_5),
    ENABLE_JIT_CHECKPOINT(Why.CHECKPOINTS),
    RESTORE_CALLBACK_STATES_FROM_CHECKPOINT(Why.RESUME),
    FULL_DETERMINISM(Why.DETERMINISM),
    LOCAL_RANK(Why.PARALLEL),
    DDP_FIND_UNUSED_PARAMETERS(Why.PARALLEL),
    DDP_BUCKET_CAP_MB(Why.PARALLEL),
    DDP_BROADCAST_BUFFERS(Why.PARALLEL),
    DDP_STATIC_GRAPH(Why.PARALLEL),
    DDP_BACKEND(Why.PARALLEL),
    DDP_TIMEOUT(Why.PARALLEL),
    FSDP(Why.PARALLEL),
    FSDP_CONFIG(Why.PARALLEL),
    DEEPSPEED(Why.PARALLEL),
    ACCELERATOR_CONFIG(Why.PARALLEL),
    PARALLELISM_CONFIG(Why.PARALLEL),
    AVERAGE_TOKENS_ACROSS_DEVICES(Why.PARALLEL),

    // would change what is trained: refused unless the value is what mergelab does
    OPTIM("the optimizer is torch's AdamW (adam_beta1, adam_beta2, adam_epsilon, weight_decay)",
            "adamw_torch", "adamw_torch_fused"),
    OPTIM_ARGS("the optimizer takes no options beyond adam_beta1, adam_beta2, adam_epsilon and weight_decay"),
    OPTIM_TARGET_MODULES("one optimizer trains every trainable parameter (freeze, train_last_n_layers choose them)"),
    LR_SCHEDULER_KWARGS("the schedules take no options beyond the warm-up"),
    LABEL_SMOOTHING_FACTOR("the loss is plain cross-entropy", 0),
    NEFTUNE_NOISE_ALPHA("no noise is added to the embeddings"),
    AUTO_FIND_BATCH_SIZE("the batch size is per_device_train_batch_size; it is never shrunk after running out of "
            + "memory", false),
    DATALOADER_DROP_LAST("every epoch trains on every example, the last batch possibly smaller", false),
    TRAIN_SAMPLING_STRATEGY("each epoch is a permutation of the examples drawn from seed", "random"),
    DATA_SEED("the example order follows seed; the data split has its own seed (a study's seeds, finetune "
            + "--data-seed)"),
    IGNORE_DATA_SKIP("a resumed run continues exactly where it stopped, as if never interrupted", false),
    EVAL_DELAY("evaluation starts at the first epoch end or eval_steps", 0),
    EVAL_ON_START("evaluation runs only where eval_strategy says, which the best model is chosen among", false);

    /** Why an argument has no effect here; one sentence shared by the arguments it covers. */
    enum Why {
        PLACE("mergelab chooses where outputs go: outputs/<study>/ in a study, --out for finetune"),
        OVERWRITE("a finished step is reused and an interrupted one resumes; finetune --overwrite starts again"),
        RESUME("an interrupted run resumes from its last checkpoint when started again with the same arguments"),
        HUB("mergelab never uploads to the Hugging Face Hub"),
        TRACKING("a study is tracked in MLflow through its tracking: section (docs/mlflow.md)"),
        CONSOLE("logging is mergelab's own: losses every logging_steps, a progress bar (--no-progress turns it off)"),
        PIPELINE("which steps run (train, evaluate, predict) is the pipeline's decision"),
        DEVICE("the device comes from device: in a study or --device (docs/devices.md)"),
        PRECISION("training computes in fp32; precision: / --precision say what else is available (docs/devices.md)"),
        SPEED("memory and speed only in transformers; DJL runs the model eagerly"),
        LOADER("batches are cut from examples tokenized once, in the training process"),
        COLUMNS("examples and labels come from the dataset spec, not from dataset columns"),
        EVALUATION("an evaluation computes every metric over the whole split in one pass"),
        CHECKPOINTS("resume checkpoints are mergelab's (model, optimizer, loop state; safetensors), removed when the "
                + "run finishes"),
        DETERMINISM("runs are deterministic already: seeded order and dropout, bit-identical with --threads 1"),
        PARALLEL("one process trains on one device: nothing is distributed or sharded");

        final String text;

        Why(String text) {
            this.text = text;
        }
    }

    /** Names transformers 5 no longer has, still found in older configs. */
    enum Removed { IN_5 }

    final String key = name().toLowerCase(Locale.ROOT);
    final Why why; // null: refused
    final String refusal;
    final List<Object> matching; // values that are what mergelab does; null always is
    final boolean removedIn5;

    UnsupportedArgument(Why why) {
        this(why, null, List.of(), false);
    }

    UnsupportedArgument(Why why, Removed removed) {
        this(why, null, List.of(), true);
    }

    UnsupportedArgument(String refusal, Object... matching) {
        this(null, refusal, List.of(matching), false);
    }

    UnsupportedArgument(Why why, String refusal, List<Object> matching, boolean removedIn5) {
        this.why = why;
        this.refusal = refusal;
        this.matching = matching;
        this.removedIn5 = removedIn5;
    }

    static UnsupportedArgument byKey(String normalizedKey) {
        for (UnsupportedArgument u : values()) {
            if (u.key.equals(normalizedKey)) {
                return u;
            }
        }
        return null;
    }

    /**
     * Why {@code raw} for this argument has no effect (a note to print), or a BadArgument when it would change
     * what is trained.
     */
    String check(String written, Object raw) {
        if (why != null) {
            return why.text;
        }
        if (unset(raw) || matching.stream().anyMatch(m -> same(m, raw))) {
            return "mergelab does this already (" + refusal + ")";
        }
        throw new TrainingArgs.BadArgument(written, "not supported: " + refusal
                + (matching.isEmpty() ? "" : " (accepted: " + String.join(", ", matching.stream().map(
                        TrainingSetting::show).toList()) + ")"), false);
    }

    /** How the docs say it: "ignored: why" or "refused unless …: why". */
    String handling() {
        if (why != null) {
            return "ignored";
        }
        return "refused" + (matching.isEmpty() ? " unless unset" : " unless " + String.join(" or ",
                matching.stream().map(m -> "`" + TrainingSetting.show(m) + "`").toList()));
    }

    String reason() {
        return why != null ? why.text : refusal;
    }

    private static boolean unset(Object raw) {
        return raw == null || (raw instanceof String s && (s.isBlank() || s.equalsIgnoreCase("none")))
                || (raw instanceof Collection<?> c && c.isEmpty()) || (raw instanceof Map<?, ?> m && m.isEmpty());
    }

    private static boolean same(Object expected, Object raw) {
        if (expected instanceof Number e) {
            try {
                return Double.parseDouble(String.valueOf(raw).strip()) == e.doubleValue();
            } catch (NumberFormatException ex) {
                return false;
            }
        }
        return String.valueOf(expected).equalsIgnoreCase(String.valueOf(raw).strip());
    }
}
