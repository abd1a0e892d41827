package io.mergelab.pipeline;

import io.mergelab.data.DatasetSpec;
import io.mergelab.data.DatasetSplits;
import io.mergelab.data.DatasetStats;
import io.mergelab.data.Datasets;
import io.mergelab.model.checkpoint.Gpt2Config;
import io.mergelab.model.gpt2.Gpt2Tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads, splits (seeded) and describes one dataset: splits as JSONL, {@code stats.json} / {@code stats.md}.
 *
 * @param spec       the parsed spec, which the step runs; its identity is {@code specFile} or {@code inlineSpec}
 * @param specFile   the spec file by content, or null for a spec written inline in the study
 * @param inlineSpec the inline spec as written, or null
 * @param data       the data file (or split.files.train) by content; {@code validation}, {@code test}: the
 *                   split files given, else null
 */
record DataAction(@NotInStepId DatasetSpec spec, InputFile specFile, Map<String, Object> inlineSpec,
                  InputFile data, InputFile validation, InputFile test, long seed,
                  @NotInStepId Path tokenizerDir) implements StepAction {
    @Override
    public void run(StepContext ctx) throws Exception {
        DatasetSplits splits = Datasets.prepare(spec, seed);
        PreparedData.write(splits, ctx.workDir());
        DatasetStats stats;
        try (Gpt2Tokenizer tok = Gpt2Tokenizer.open(tokenizerDir, Gpt2Config.GPT2_EOS)) {
            stats = DatasetStats.of(splits, text -> tok.encode(text).length);
        }
        if (stats.emptyTextNote() != null) {
            System.err.println("warning: " + stats.emptyTextNote());
        }
        Files.writeString(ctx.workDir().resolve("stats.md"), stats.toMarkdown());
        Files.writeString(ctx.workDir().resolve("stats.json"), Canonical.json().writeValueAsString(StatsJson.of(stats)));
    }
}
