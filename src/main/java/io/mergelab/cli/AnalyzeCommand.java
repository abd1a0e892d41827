package io.mergelab.cli;

import io.mergelab.merge.ModelInput;
import io.mergelab.merge.ModelResolver;
import io.mergelab.merge.analysis.AnalysisFigure;
import io.mergelab.merge.analysis.AnalysisOutputs;
import io.mergelab.merge.analysis.AnalysisSettings;
import io.mergelab.merge.analysis.TaskVectorAnalysis;
import io.mergelab.merge.analysis.TaskVectorAnalyzer;
import io.mergelab.report.Heatmap;
import io.mergelab.report.HeatmapPlots;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "analyze",
        description = {"Analyse the task vectors tau_k = MODEL_k - BASE of fine-tuned variants (why a merge works),",
            "streaming one tensor at a time; heads (score, lm_head) are excluded. Measures, whole model and per layer:",
            "  norms         ||tau_k||_2 and ||tau_k||_1",
            "  cosine        <tau_i,tau_j> / (||tau_i|| ||tau_j||): do the variants move the same way?",
            "  conflicts     fraction of coordinates where the variants' signs disagree (any pair; each pair),",
            "                before and after TIES trimming each tensor to its top-d magnitudes (--ties-density)",
            "  profile       share of ||tau||_1 and ||tau||_2^2 in each tensor's top-k % entries (--top-k)",
            "  DARE          ||drop-and-rescale_p(tau)||_2 / ||tau||_2, about 1/sqrt(p) (--dare-density, --seed)",
            "Writes OUT: analysis.json, CSV tables, analysis.md, heatmaps (PNG, SVG, PDF). Definitions: docs/analysis.md.",
            "A model may be a directory or a hub id (org/name[@rev]) from the Hugging Face cache."},
        mixinStandardHelpOptions = true)
final class AnalyzeCommand implements Callable<Integer> {

    @Parameters(paramLabel = "MODEL", arity = "1..*", description = "Fine-tuned variants of BASE (at least 2).")
    List<String> models;

    @Option(names = "--base", required = true, paramLabel = "BASE", description = "The model the variants were "
            + "fine-tuned from.")
    String base;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: outputs/analysis/"
            + "<base>--<variants>-<8 hex of a hash of the models and settings>).")
    Path out;

    @Option(names = "--overwrite", description = "Replace DIR if it exists.")
    boolean overwrite;

    @Option(names = "--ties-density", split = ",", paramLabel = "D", description = "TIES trim densities for the "
            + "sign conflicts (default: 0.2,0.5).")
    List<Double> tiesDensities = new ArrayList<>(AnalysisSettings.DEFAULT_TIES_DENSITIES);

    @Option(names = "--top-k", split = ",", paramLabel = "F", description = "Top fractions for the magnitude "
            + "profile (default: 0.01,0.05,0.1,0.2,0.5).")
    List<Double> topK = new ArrayList<>(AnalysisSettings.DEFAULT_TOP_K);

    @Option(names = "--dare-density", split = ",", paramLabel = "P", description = "DARE keep probabilities "
            + "(default: 0.1,0.5,0.9).")
    List<Double> dareDensities = new ArrayList<>(AnalysisSettings.DEFAULT_DARE_DENSITIES);

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the DARE masks: the masks dare_linear draws "
            + "with merge --seed N and the variants in this order (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-figures", description = "Skip the heatmaps.")
    boolean noFigures;

    @Option(names = "--no-progress", description = "Do not draw a progress bar.")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        AnalysisSettings settings;
        try {
            settings = new AnalysisSettings(tiesDensities, topK, dareDensities, seed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--ties-density/--top-k/--dare-density: " + e.getMessage(), e);
        }
        if (models.size() < 2) {
            throw new IllegalArgumentException("analyze needs at least 2 variants besides --base, got " + models.size()
                    + " (" + models.get(0) + ")");
        }
        ModelResolver resolver = new ModelResolver(Path.of("."));
        ModelInput baseInput = resolver.resolve(base, "--base");
        List<ModelInput> variants = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            variants.add(resolver.resolve(models.get(i), "MODEL " + (i + 1)));
        }
        Path dir = out != null ? out : defaultOut(base, models, settings);
        if (!overwrite && java.nio.file.Files.exists(dir)) {
            throw new IllegalArgumentException(dir + " exists; pass --overwrite to replace it");
        }
        long t0 = System.nanoTime();
        TaskVectorAnalysis a;
        ProgressBar[] bar = new ProgressBar[1];
        try {
            a = new TaskVectorAnalyzer(settings).analyze(baseInput, variants, new TaskVectorAnalyzer.Listener() {
                @Override
                public void started(int tensors) {
                    if (!noProgress) {
                        bar[0] = new ProgressBarBuilder().setTaskName("analyze").setInitialMax(tensors)
                                .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err))
                                .setUnit(" tensors", 1).build();
                    }
                }

                @Override
                public void tensorDone(String tensor) {
                    if (bar[0] != null) {
                        bar[0].step();
                    }
                }
            });
        } finally {
            if (bar[0] != null) {
                bar[0].close();
            }
        }
        Path written = AnalysisOutputs.write(a, dir, overwrite, noFigures ? null : AnalyzeCommand::draw);
        System.out.printf("analysed %d tensors of %d variants against %s into %s in %.1f s%n", a.model().tensors(),
                variants.size(), base, written, (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    static List<Path> draw(AnalysisFigure f, Path dir) throws java.io.IOException {
        return HeatmapPlots.write(new Heatmap(f.title(), f.columnTitle(), f.rowTitle(), f.columns(), f.rows(),
                f.values(), f.min(), f.max()), dir, f.stem());
    }

    /** outputs/analysis/BASE--V1+V2...-HASH: the same models and settings always land in the same folder. */
    static Path defaultOut(String base, List<String> models, AnalysisSettings s) {
        StringBuilder key = new StringBuilder(base);
        models.forEach(m -> key.append('\n').append(m));
        key.append('\n').append(s);
        String hash;
        try {
            hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.toString().getBytes(StandardCharsets.UTF_8))).substring(0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        String name = label(base) + "--" + String.join("+", models.stream().map(AnalyzeCommand::label).toList());
        if (name.length() > 80) {
            name = name.substring(0, 80);
        }
        return Path.of("outputs", "analysis", name + "-" + hash);
    }

    private static String label(String ref) {
        Path p = Path.of(ref).getFileName();
        String s = p == null ? ref : p.toString();
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
