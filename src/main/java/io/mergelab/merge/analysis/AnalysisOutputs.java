package io.mergelab.merge.analysis;

import io.mergelab.model.checkpoint.AtomicFiles;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes an analysis directory: {@code analysis.json}, the CSV tables, {@code analysis.md} and the figures. The
 * directory appears only when complete (written beside it under a temp name, then renamed).
 */
public final class AnalysisOutputs {
    public static final String JSON = "analysis.json";
    public static final String SUMMARY = "analysis.md";
    public static final List<String> TABLES = List.of("norms.csv", "cosine.csv", "sign_conflicts.csv",
            "layers_long.csv", "magnitude_profile.csv", "dare.csv", "excluded.csv");

    /** Draws one figure into {@code dir}; returns the files written (e.g. PNG, SVG, PDF). */
    @FunctionalInterface
    public interface FigureWriter {
        List<Path> write(AnalysisFigure figure, Path dir) throws IOException;
    }

    private AnalysisOutputs() {
    }

    /**
     * Writes everything into {@code out}.
     *
     * @param figures null: no figures
     * @throws IOException {@code out} exists and {@code overwrite} is false (the message names {@code --overwrite})
     */
    public static Path write(TaskVectorAnalysis a, Path out, boolean overwrite, FigureWriter figures)
            throws IOException {
        Path abs = out.toAbsolutePath().normalize();
        refuseExisting(abs, overwrite);
        Files.createDirectories(abs.getParent());
        Path tmp = abs.resolveSibling("." + abs.getFileName() + ".tmp-" + suffix());
        try {
            Files.createDirectory(tmp);
            Files.writeString(tmp.resolve(JSON), a.toJson());
            writeTables(a, tmp);
            List<Path> drawn = new ArrayList<>();
            if (figures != null) {
                for (AnalysisFigure f : AnalysisFigure.of(a)) {
                    drawn.addAll(figures.write(f, tmp));
                }
            }
            Files.writeString(tmp.resolve(SUMMARY), summary(a, drawn.stream().map(p -> p.getFileName().toString())
                    .toList()));
            refuseExisting(abs, overwrite);
            if (Files.exists(abs)) {
                Path old = abs.resolveSibling("." + abs.getFileName() + ".old-" + suffix());
                Files.move(abs, old);
                Files.move(tmp, abs);
                AtomicFiles.deleteRecursively(old);
            } else {
                Files.move(tmp, abs);
            }
            return abs;
        } finally {
            AtomicFiles.deleteRecursively(tmp);
        }
    }

    private static void refuseExisting(Path out, boolean overwrite) throws IOException {
        if (!overwrite && Files.exists(out)) {
            throw new java.nio.file.FileAlreadyExistsException(out.toString(), null,
                    "exists; pass --overwrite to replace it");
        }
    }

    private static String suffix() {
        return String.format("%012x", ThreadLocalRandom.current().nextLong() & 0xffff_ffff_ffffL);
    }

    static void writeTables(TaskVectorAnalysis a, Path dir) throws IOException {
        List<String> v = a.variants();
        int n = v.size();
        List<Measures> scopes = new ArrayList<>();
        scopes.add(a.model());
        scopes.addAll(a.groups());

        List<List<Object>> rows = new ArrayList<>();
        for (Measures m : scopes) {
            for (int k = 0; k < n; k++) {
                rows.add(List.of(m.scope(), v.get(k), m.l2Norm().get(k), m.l1Norm().get(k), m.coordinates()));
            }
        }
        csv(dir.resolve("norms.csv"), List.of("scope", "variant", "l2_norm", "l1_norm", "coordinates"), rows);

        rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Object> r = new ArrayList<>();
            r.add(v.get(i));
            r.addAll(a.model().cosine().get(i));
            rows.add(r);
        }
        List<String> header = new ArrayList<>();
        header.add("variant");
        header.addAll(v);
        csv(dir.resolve("cosine.csv"), header, rows);

        rows = new ArrayList<>();
        header = new ArrayList<>(List.of("trim_density", "any_pair"));
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                header.add(v.get(i) + " vs " + v.get(j));
            }
        }
        for (SignConflicts c : a.model().signConflicts()) {
            List<Object> r = new ArrayList<>(List.of(c.trimDensity(), c.anyPair()));
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    r.add(c.pairwise(i, j));
                }
            }
            rows.add(r);
        }
        csv(dir.resolve("sign_conflicts.csv"), header, rows);

        rows = new ArrayList<>();
        for (Measures m : scopes) {
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    rows.add(List.of(m.scope(), "cosine", "", v.get(i), v.get(j), m.cosine(i, j)));
                }
            }
            for (SignConflicts c : m.signConflicts()) {
                rows.add(List.of(m.scope(), "sign_conflict_any", c.trimDensity(), "", "", c.anyPair()));
                for (int i = 0; i < n; i++) {
                    for (int j = i + 1; j < n; j++) {
                        rows.add(List.of(m.scope(), "sign_conflict_pair", c.trimDensity(), v.get(i), v.get(j),
                                c.pairwise(i, j)));
                    }
                }
            }
        }
        csv(dir.resolve("layers_long.csv"), List.of("scope", "measure", "trim_density", "variant_a", "variant_b",
                "value"), rows);

        rows = new ArrayList<>();
        List<Double> ks = a.settings().topKFractions();
        for (Measures m : scopes) {
            for (int k = 0; k < n; k++) {
                for (int j = 0; j < ks.size(); j++) {
                    rows.add(List.of(m.scope(), v.get(k), ks.get(j), m.topKL1Mass().get(k).get(j),
                            m.topKL2Mass().get(k).get(j)));
                }
            }
        }
        csv(dir.resolve("magnitude_profile.csv"), List.of("scope", "variant", "top_fraction", "l1_mass_fraction",
                "l2sq_mass_fraction"), rows);

        rows = new ArrayList<>();
        List<Double> ps = a.settings().dareDensities();
        for (Measures m : scopes) {
            for (int k = 0; k < n; k++) {
                for (int j = 0; j < ps.size(); j++) {
                    rows.add(List.of(m.scope(), v.get(k), ps.get(j), m.dareNormRatio().get(k).get(j),
                            1 / Math.sqrt(ps.get(j))));
                }
            }
        }
        csv(dir.resolve("dare.csv"), List.of("scope", "variant", "density", "l2_ratio", "one_over_sqrt_density"),
                rows);

        rows = new ArrayList<>();
        for (ExcludedTensor e : a.excluded()) {
            rows.add(List.of(e.tensor(), e.reason()));
        }
        csv(dir.resolve("excluded.csv"), List.of("tensor", "reason"), rows);
    }

    private static void csv(Path file, List<String> header, List<List<Object>> rows) throws IOException {
        StringWriter w = new StringWriter();
        try (CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setRecordSeparator("\n").get())) {
            p.printRecord(header);
            for (List<Object> r : rows) {
                p.printRecord(r);
            }
        }
        Files.writeString(file, w.toString());
    }

    /** The short summary: models, totals, the whole-model tables, what was excluded, the figures. */
    static String summary(TaskVectorAnalysis a, List<String> figureFiles) {
        Measures m = a.model();
        List<String> v = a.variants();
        int n = v.size();
        StringBuilder s = new StringBuilder("# Task-vector analysis\n\n");
        s.append("Base `").append(a.base()).append("`; ").append(n).append(" variants; ").append(m.tensors())
                .append(" tensors, ").append(m.coordinates()).append(" coordinates in ").append(a.groups().size())
                .append(" groups; ").append(a.excluded().size()).append(" tensors excluded. τ_k = variant_k − base. ")
                .append("Definitions: docs/analysis.md (and `definitions` in ").append(JSON).append(").\n\n");
        s.append("| # | variant | ‖τ‖₂ | ‖τ‖₁ |\n|---|---|---|---|\n");
        for (int k = 0; k < n; k++) {
            s.append("| ").append(k).append(" | `").append(v.get(k)).append("` | ").append(sci(m.l2Norm().get(k)))
                    .append(" | ").append(sci(m.l1Norm().get(k))).append(" |\n");
        }
        s.append("\n**Cosine similarity** (whole model)\n\n|   |");
        for (int j = 0; j < n; j++) {
            s.append(' ').append(j).append(" |");
        }
        s.append("\n|---|").append("---|".repeat(n)).append('\n');
        for (int i = 0; i < n; i++) {
            s.append("| ").append(i).append(" |");
            for (int j = 0; j < n; j++) {
                s.append(' ').append(num(m.cosine(i, j))).append(" |");
            }
            s.append('\n');
        }
        s.append("\n**Sign conflicts** (fraction of all coordinates; any pair: some τ > 0 and some τ < 0)\n\n")
                .append("| trimming | any pair |");
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                s.append(' ').append(i).append('·').append(j).append(" |");
            }
        }
        s.append("\n|---|---|").append("---|".repeat(n * (n - 1) / 2)).append('\n');
        for (SignConflicts c : m.signConflicts()) {
            s.append("| ").append(c.trimDensity() == 1.0 ? "none" : "TIES d=" + num(c.trimDensity())).append(" | ")
                    .append(pct(c.anyPair())).append(" |");
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    s.append(' ').append(pct(c.pairwise(i, j))).append(" |");
                }
            }
            s.append('\n');
        }
        List<Double> ks = a.settings().topKFractions();
        s.append("\n**Magnitude profile**: share of ‖τ‖₁ (‖τ‖₂²) held by each tensor's top-k % entries by |τ|\n\n")
                .append("| # |");
        for (double k : ks) {
            s.append(" top ").append(num(100 * k)).append(" % |");
        }
        s.append("\n|---|").append("---|".repeat(ks.size())).append('\n');
        for (int k = 0; k < n; k++) {
            s.append("| ").append(k).append(" |");
            for (int j = 0; j < ks.size(); j++) {
                s.append(' ').append(pct(m.topKL1Mass().get(k).get(j))).append(" (")
                        .append(pct(m.topKL2Mass().get(k).get(j))).append(") |");
            }
            s.append('\n');
        }
        List<Double> ps = a.settings().dareDensities();
        s.append("\n**DARE**: ‖drop-and-rescale(τ)‖₂ / ‖τ‖₂ (seed ").append(a.settings().seed()).append(")\n\n| # |");
        for (double p : ps) {
            s.append(" p=").append(num(p)).append(" (1/√p=").append(num(1 / Math.sqrt(p))).append(") |");
        }
        s.append("\n|---|").append("---|".repeat(ps.size())).append('\n');
        for (int k = 0; k < n; k++) {
            s.append("| ").append(k).append(" |");
            for (int j = 0; j < ps.size(); j++) {
                s.append(' ').append(num(m.dareNormRatio().get(k).get(j))).append(" |");
            }
            s.append('\n');
        }
        s.append("\n**Excluded tensors**: ");
        if (a.excluded().isEmpty()) {
            s.append("none\n");
        } else {
            s.append('\n');
            for (ExcludedTensor e : a.excluded()) {
                s.append("- `").append(e.tensor()).append("`: ").append(e.reason()).append('\n');
            }
        }
        s.append("\n**Tables**: ").append(String.join(", ", TABLES)).append(" (per layer: layers_long.csv).\n");
        if (!figureFiles.isEmpty()) {
            s.append("\n**Figures**: ").append(String.join(", ", figureFiles)).append("\n\n");
            for (String f : figureFiles) {
                if (f.endsWith(".png")) {
                    s.append("![").append(f).append("](").append(f).append(")\n");
                }
            }
        }
        return s.toString();
    }

    /** A model reference's last path element, for labels. */
    static String shortName(String ref) {
        String r = ref.replaceAll("[/\\\\]+$", "");
        // a study step's checkpoint is <step>/model: the step folder names it, not "model"
        if (r.matches(".*[/\\\\]model") && r.length() > "model".length() + 1) {
            r = r.substring(0, r.length() - "model".length() - 1);
        }
        int slash = Math.max(r.lastIndexOf('/'), r.lastIndexOf('\\'));
        return slash >= 0 && slash < r.length() - 1 ? r.substring(slash + 1) : r;
    }

    static String num(double x) {
        return String.format(Locale.ROOT, "%.3f", x).replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    private static String pct(double x) {
        return String.format(Locale.ROOT, "%.2f %%", 100 * x);
    }

    private static String sci(double x) {
        return String.format(Locale.ROOT, "%.5g", x);
    }
}
