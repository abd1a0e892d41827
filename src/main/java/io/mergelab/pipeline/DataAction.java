package io.mergelab.pipeline;

import io.mergelab.data.DatasetSpec;
import io.mergelab.data.DatasetSplits;
import io.mergelab.data.DatasetStats;
import io.mergelab.data.Datasets;
import io.mergelab.model.checkpoint.Gpt2Config;
import io.mergelab.model.gpt2.Gpt2Tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;

/** Reads, splits (seeded) and describes one dataset: splits as JSONL, {@code stats.json} / {@code stats.md}. */
record DataAction(DatasetSpec spec, long seed, Path tokenizerDir) implements StepAction {
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
