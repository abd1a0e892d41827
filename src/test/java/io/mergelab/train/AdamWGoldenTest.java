package io.mergelab.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mergelab.testutil.Tolerance;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One optimiser update (clip → AdamW → schedule) against torch.optim.AdamW + clip_grad_norm_ +
 * get_linear_schedule_with_warmup, three steps. Golden: tools/golden/make_train_golden.py.
 */
class AdamWGoldenTest {
    /** Parameters (0.03 to 2.7) after three float32 updates: each step rounds p - lr·(m/(√v+ε) + wd·p) to a few
     * ulps of |p| (6e-8 relative each; identical bits seen); the floor covers the rounding of the ~1e-2 updates. */
    private static final Tolerance PARAMS = Tolerance.relative(1e-6, 1e-8);
    /** A global norm over 20 float32 gradients: at most ~20 ulps in the sum of squares, half that in the root
     * (seen 5e-8 relative; the previous bound was 1e-5). */
    private static final Tolerance NORM = Tolerance.relative(2e-6, 1e-8);

    private static JsonNode golden() throws IOException {
        return new ObjectMapper().readTree(Path.of("src/test/resources/golden/train/adamw.json").toFile());
    }

    @Test
    void threeStepsMatchTorch() throws IOException {
        JsonNode g = golden();
        Engine engine = Engine.getInstance();
        JniUtils.setGradMode(false);
        try (NDManager m = NDManager.newBaseManager()) {
            List<TrainableParameter> params = new ArrayList<>();
            for (int i = 0; i < g.get("names").size(); i++) {
                String name = g.get("names").get(i).asText();
                NDArray a = m.create(floats(g.get("initial").get(i)), shape(g.get("shapes").get(i)));
                a.setRequiresGradient(true);
                params.add(new TrainableParameter(name, a, TrainableParameter.decays(name)));
            }
            LrSchedule schedule = new LrSchedule(TrainingArgs.Scheduler.LINEAR, g.get("lr").asDouble(),
                    g.get("warmup_steps").asInt(), g.get("total_steps").asInt());
            try (AdamW opt = new AdamW(params, 0.9, 0.999, 1e-8, g.get("weight_decay").asDouble(), m)) {
                int step = 0;
                for (JsonNode s : g.get("steps")) {
                    try (NDManager sub = m.newSubManager(); GradientCollector gc = engine.newGradientCollector()) {
                        NDArray loss = null;
                        for (int i = 0; i < params.size(); i++) {
                            NDArray grad = sub.create(floats(s.get("grads").get(i)), params.get(i).array().getShape());
                            NDArray term = params.get(i).array().mul(grad).sum();
                            loss = loss == null ? term : loss.add(term);
                        }
                        gc.backward(loss);
                    }
                    double norm = GradientClipping.clipGlobalNorm(params, g.get("max_grad_norm").asDouble());
                    NORM.assertClose(s.get("grad_norm").asDouble(), norm, "grad norm at step " + step);
                    // closed-form double arithmetic on rates <= 1: 1e-12 absolute is a few thousand double ulps
                    assertEquals(s.get("lr").asDouble(), schedule.lr(step), 1e-12, "lr at step " + step);
                    opt.step(schedule.lr(step));
                    opt.zeroGrad();
                    for (int i = 0; i < params.size(); i++) {
                        PARAMS.assertClose(floats(s.get("params").get(i)), params.get(i).array().toFloatArray(),
                                params.get(i).name() + " after step " + step);
                    }
                    step++;
                }
            }
        }
    }

    @Test
    void schedulesMatchTransformers() throws IOException {
        JsonNode g = golden();
        LrSchedule linear = new LrSchedule(TrainingArgs.Scheduler.LINEAR, 1.0, 3, 10);
        LrSchedule cosine = new LrSchedule(TrainingArgs.Scheduler.COSINE, 1.0, 3, 10);
        for (int s = 0; s < 10; s++) { // rates in [0, 1] in double: absolute 1e-12 is a few thousand ulps
            assertEquals(g.get("schedule_linear").get(s).asDouble(), linear.lr(s), 1e-12, "linear step " + s);
            assertEquals(g.get("schedule_cosine").get(s).asDouble(), cosine.lr(s), 1e-12, "cosine step " + s);
        }
    }

    @Test
    void decayExcludesBiasesAndLayerNorms() {
        assertEquals(true, TrainableParameter.decays("transformer.h.0.attn.c_attn.weight"));
        assertEquals(true, TrainableParameter.decays("transformer.wte.weight"));
        assertEquals(true, TrainableParameter.decays("score.weight"));
        assertEquals(false, TrainableParameter.decays("transformer.h.0.mlp.c_fc.bias"));
        assertEquals(false, TrainableParameter.decays("transformer.h.1.ln_2.weight"));
        assertEquals(false, TrainableParameter.decays("transformer.ln_f.weight"));
    }

    private static float[] floats(JsonNode arr) {
        float[] f = new float[arr.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) arr.get(i).asDouble();
        }
        return f;
    }

    private static Shape shape(JsonNode arr) {
        long[] s = new long[arr.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = arr.get(i).asLong();
        }
        return new Shape(s);
    }
}
