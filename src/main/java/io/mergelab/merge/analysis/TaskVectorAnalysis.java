package io.mergelab.merge.analysis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.mergelab.model.checkpoint.AtomicFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of a task-vector analysis ({@code analysis.json}): τ_k = variant_k − base, per tensor in float32 as
 * the merge engine forms it, every sum in double.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION}
 * @param base          the base model's reference, as given
 * @param variants      the variants' references, as given; every index in {@link Measures} follows this order
 * @param settings      the levels and seed used
 * @param model         the measures over every analysed tensor
 * @param groups        the same per group, in model order: {@code embeddings}, {@code h.0} … , {@code ln_f}
 * @param excluded      tensors left out, and why
 * @param definitions   one line per measure (also in docs/analysis.md)
 */
public record TaskVectorAnalysis(int schemaVersion, String base, List<String> variants, AnalysisSettings settings,
        Measures model, List<Measures> groups, List<ExcludedTensor> excluded, Map<String, String> definitions) {
    public static final int SCHEMA_VERSION = 1;

    /** The exact definitions, written into every result so a reader of the JSON alone knows what it holds. */
    public static final Map<String, String> DEFINITIONS = standardDefinitions();

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    public TaskVectorAnalysis {
        variants = List.copyOf(variants);
        groups = List.copyOf(groups);
        excluded = List.copyOf(excluded);
        definitions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(definitions));
    }

    /** The measures of one group ({@code embeddings}, {@code h.3}, {@code ln_f}). */
    public Measures group(String name) {
        return groups.stream().filter(g -> g.scope().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no group '" + name + "' (groups: "
                        + groups.stream().map(Measures::scope).toList() + ")"));
    }

    public String toJson() {
        try {
            return JSON.writer(new DefaultPrettyPrinter()).writeValueAsString(this) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the analysis", e); // records of lists always serialise
        }
    }

    public static TaskVectorAnalysis fromJson(String json, Path source) {
        try {
            TaskVectorAnalysis a = JSON.readValue(json, TaskVectorAnalysis.class);
            if (a.schemaVersion() != SCHEMA_VERSION) {
                throw new IllegalArgumentException(source + ": schemaVersion " + a.schemaVersion() + ", expected "
                        + SCHEMA_VERSION);
            }
            return a;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not a task-vector analysis: " + e.getOriginalMessage(), e);
        }
    }

    /** Writes {@link #toJson()} atomically (temp file + rename). */
    public void write(Path file) throws IOException {
        AtomicFiles.writeString(file, toJson());
    }

    public static TaskVectorAnalysis read(Path file) {
        try {
            return fromJson(Files.readString(file), file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static Map<String, String> standardDefinitions() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("task_vector", "tau_k = variant_k - base per tensor, in float32 as the merge engine forms it; tensors "
                + "in the base and every variant with equal shapes, heads (score, lm_head) excluded; sums in double");
        d.put("l2Norm", "||tau_k||_2 = sqrt(sum over the scope's coordinates of tau_k^2)");
        d.put("l1Norm", "||tau_k||_1 = sum of |tau_k|");
        d.put("cosine", "<tau_i, tau_j> / (||tau_i||_2 ||tau_j||_2) over the scope; 0 when either norm is 0; "
                + "diagonal 1 (0 for a zero task vector)");
        d.put("signConflicts.anyPair", "fraction of the scope's coordinates where some tau_i > 0 and some tau_j < 0 "
                + "(zeros never conflict)");
        d.put("signConflicts.pairwise", "[i][j]: fraction of the scope's coordinates where sign(tau_i)*sign(tau_j) < 0");
        d.put("signConflicts.trimDensity", "each tau_k trimmed first, per tensor, as TIES does: keep the "
                + "max(1, floor(d*n)) largest |tau| of the tensor's n (lowest index first among equal magnitudes), "
                + "zero the rest; 1.0 = untrimmed");
        d.put("topKL1Mass", "[k][j]: sum over tensors of the |tau_k| of each tensor's max(1, floor(f_j*n)) "
                + "largest-|tau| entries, divided by ||tau_k||_1 (0 if that is 0)");
        d.put("topKL2Mass", "[k][j]: the same with tau^2, divided by ||tau_k||_2^2");
        d.put("dareNormRatio", "[k][j]: ||DARE_p(tau_k)||_2 / ||tau_k||_2 (0 if tau_k = 0); DARE_p per tensor keeps "
                + "each entry with probability p and rescales the kept ones to the tensor's original L1 norm (the "
                + "engine's dare_linear); masks seeded by MergePlanner.tensorSeed(seed, tensor name as the base "
                + "stores it), one SplittableRandom.split() per variant in order; about 1/sqrt(p)");
        d.put("groups", "embeddings (wte, wpe), h.N (block N), ln_f; the model scope sums all groups");
        return d;
    }
}
