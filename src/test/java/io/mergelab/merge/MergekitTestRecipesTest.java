package io.mergelab.merge;

import io.mergelab.model.checkpoint.CheckpointDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mergekit's own test recipes (tests/test_basic_merges.py at the release matched, GPT-2 shapes) run through
 * {@code mergelab merge} unchanged, as a new user would paste them: every model given {@code weight} 0.6 / 0.4 (also
 * for methods that do not read it: a one-line warning), {@code dtype: bfloat16}, and the test's parameters. Each
 * merge must succeed and write a checkpoint whose tensors are all finite; the one recipe mergekit refuses (DELLA with
 * epsilon 1.35) is refused in one line.
 */
class MergekitTestRecipesTest {
    @TempDir
    Path tmp;

    /** {@code two_model_config(a, b, method, base, params)} of mergekit's tests; null base = none. */
    private static String twoModel(String method, String a, String b, String base, String params) {
        return "merge_method: " + method + "\n" + (base == null ? "" : "base_model: ${" + base + "}\n")
                + "models:\n  - model: ${" + a + "}\n    parameters: {weight: 0.6}\n"
                + "  - model: ${" + b + "}\n    parameters: {weight: 0.4}\n"
                + "dtype: bfloat16\n" + (params == null ? "" : "parameters: {" + params + "}\n");
    }

    private static Map<String, String> recipes() {
        Map<String, String> r = new LinkedHashMap<>();
        r.put("copy", "merge_method: passthrough\nmodels:\n  - model: ${v1}\ndtype: bfloat16\n");
        r.put("passthrough_scale", "merge_method: passthrough\nmodels:\n  - model: ${v1}\n    parameters:\n"
                + "      scale: [{filter: c_proj, value: 0}, {value: 1}]\n");
        r.put("linear", twoModel("linear", "v1", "v2", null, null));
        r.put("slerp", twoModel("slerp", "v1", "v2", "v1", "t: 0.35"));
        for (String base : new String[] {null, "v3"}) {
            for (boolean rowWise : new boolean[] {false, true}) {
                for (boolean flatten : new boolean[] {false, true}) {
                    r.put("nuslerp_" + base + "_" + rowWise + "_" + flatten, twoModel("nuslerp", "v1", "v2", base,
                            "nuslerp_row_wise: " + rowWise + ", nuslerp_flatten: " + flatten));
                }
            }
        }
        r.put("nuslerp_zero_sum", twoModel("nuslerp", "v1", "v2", "v3", "nuslerp_row_wise: false, "
                + "nuslerp_flatten: false").replace("weight: 0.6", "weight: -0.5").replace("weight: 0.4", "weight: 0.5"));
        r.put("task_arithmetic", twoModel("task_arithmetic", "v1", "v2", "v3", null));
        r.put("breadcrumbs", twoModel("breadcrumbs", "v1", "v2", "v3", null));
        r.put("ties", twoModel("ties", "v1", "v2", "v3", "density: 0.3"));
        r.put("sce", twoModel("sce", "v1", "v2", "v3", "select_topk: 0.5"));
        r.put("ram", twoModel("ram", "v1", "v2", "v3", null));
        r.put("ramplus_tl", twoModel("ramplus_tl", "v1", "v2", "v3", "r: 0.05, alpha: 1.0"));
        r.put("multislerp", twoModel("multislerp", "v1", "v2", "v3", null));
        r.put("dare_ties", twoModel("dare_ties", "v1", "v2", "v3", "density: 0.66"));
        r.put("model_stock", twoModel("model_stock", "v2", "v3", "v1", null));
        r.put("model_stock_filter_wise", twoModel("model_stock", "v2", "v3", "v1", "filter_wise: true"));
        r.put("arcee_fusion", twoModel("arcee_fusion", "v1", "v2", "v1", null));
        r.put("nearswap", twoModel("nearswap", "v1", "v2", "v1", "t: 0.0001"));
        r.put("della", twoModel("della", "v1", "v2", "v3", "density: 0.66, epsilon: 0.05, lambda: 0.5"));
        r.put("karcher", twoModel("karcher", "v1", "v2", "v3", "max_iter: 5, tol: 1e-5"));
        return r;
    }

    @Test
    void mergekitsTestRecipesRunUnchanged() throws IOException {
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, String> e : recipes().entrySet()) {
            Path recipe = MergeFixtures.recipe(tmp, e.getKey(), e.getValue());
            Path out = tmp.resolve("out-" + e.getKey());
            String[] r = io.mergelab.testutil.MainCapture.run("merge", recipe.toString(), out.toString(),
                    "--no-progress");
            if (!r[0].equals("0")) {
                failures.add(e.getKey() + ": exit " + r[0] + ": " + r[2].strip());
                continue;
            }
            for (String line : r[2].strip().lines().toList()) {
                assertTrue(line.startsWith("warning: ") || line.startsWith("note: ") || line.isBlank(),
                        e.getKey() + ": every message is one line: " + r[2]);
            }
            CheckpointDir dir = CheckpointDir.open(out);
            for (var t : dir.tensors()) {
                float[] v = dir.readFloat32(t);
                for (float x : v) {
                    if (!Float.isFinite(x)) {
                        failures.add(e.getKey() + ": " + t.name() + " has a non-finite value");
                        break;
                    }
                }
            }
            if (e.getKey().equals("passthrough_scale")) {
                float[] proj = dir.readCanonical("h.0.attn.c_proj.weight").data();
                for (float x : proj) {
                    assertTrue(x == 0f, "c_proj scaled by 0 (0 * a negative weight is -0, as in torch): " + x);
                }
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void dellaWithAnEpsilonMergekitRefusesIsRefusedInOneLine() throws IOException {
        Path recipe = MergeFixtures.recipe(tmp, "della_bad", twoModel("della", "v1", "v2", "v3",
                "density: 0.66, epsilon: 1.35, lambda: 0.5"));
        String[] r = io.mergelab.testutil.MainCapture.run("merge", recipe.toString(), tmp.resolve("o").toString(),
                "--no-progress");
        assertEquals("1", r[0], r[2]);
        assertEquals(1, r[2].strip().lines().count(), r[2]);
        assertTrue(r[2].contains("epsilon"), r[2]);
        assertTrue(!Files.exists(tmp.resolve("o")));
    }
}
