package io.mergelab.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything besides weights and optimiser moments that a resumed run needs to continue exactly where
 * it stopped, plus the history written to {@code training_state.json}. The data position is the step
 * count: step s trains micro-batches [s·accum, (s+1)·accum) of epoch s / stepsPerEpoch in the seeded order.
 */
final class TrainingState {
    static final ObjectMapper MAPPER = new ObjectMapper();

    int step;
    double windowLossSum;
    int windowSteps;
    double lossSum;           // over all steps, for train_loss
    long tokens;              // real (non-pad) training tokens processed
    double trainSeconds;      // forward/backward/update time only
    Double bestMetric;
    int bestStep = -1;
    int evalsWithoutImprovement;
    boolean stoppedEarly;
    final ArrayNode history = MAPPER.createArrayNode();
    final Map<String, Object> meta = new LinkedHashMap<>();

    ObjectNode toJson() {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("global_step", step);
        o.put("window_loss_sum", windowLossSum);
        o.put("window_steps", windowSteps);
        o.put("loss_sum", lossSum);
        o.put("tokens", tokens);
        o.put("train_seconds", trainSeconds);
        if (bestMetric != null) {
            o.put("best_metric", bestMetric);
        } else {
            o.putNull("best_metric");
        }
        o.put("best_step", bestStep);
        o.put("evals_without_improvement", evalsWithoutImprovement);
        o.put("stopped_early", stoppedEarly);
        o.set("meta", MAPPER.valueToTree(meta));
        o.set("log_history", history.deepCopy());
        return o;
    }

    static TrainingState fromJson(JsonNode o) {
        TrainingState s = new TrainingState();
        s.step = o.get("global_step").asInt();
        s.windowLossSum = o.get("window_loss_sum").asDouble();
        s.windowSteps = o.get("window_steps").asInt();
        s.lossSum = o.get("loss_sum").asDouble();
        s.tokens = o.get("tokens").asLong();
        s.trainSeconds = o.get("train_seconds").asDouble();
        s.bestMetric = o.get("best_metric").isNull() ? null : o.get("best_metric").asDouble();
        s.bestStep = o.get("best_step").asInt();
        s.evalsWithoutImprovement = o.get("evals_without_improvement").asInt();
        s.stoppedEarly = o.get("stopped_early").asBoolean();
        o.get("log_history").forEach(s.history::add);
        o.path("meta").fields().forEachRemaining(e -> s.meta.put(e.getKey(), MAPPER.convertValue(e.getValue(), Object.class)));
        return s;
    }
}
