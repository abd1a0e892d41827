package io.mergelab.track;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MlflowNamesTest {

    @Test
    void flattensNestedConfigWithinLimits() {
        Map<String, String> flat = MlflowNames.flatten(Map.of("merge", Map.of("method", "ties",
                "models", List.of(Map.of("model", "a")), "layers", List.of(1, 2), "bad:key", "v")));
        assertEquals("ties", flat.get("merge.method"));
        assertEquals("a", flat.get("merge.models.0.model"));
        assertEquals("[1, 2]", flat.get("merge.layers"));
        assertEquals("v", flat.get("merge.bad_key"));
        String a = MlflowNames.paramValue("a".repeat(7000));
        String b = MlflowNames.paramValue("a".repeat(6999) + "b");
        assertEquals(MlflowNames.MAX_PARAM_VALUE_LENGTH, a.length());
        assertNotEquals(a, b, "long values keep a hash of the whole");
        assertEquals(MlflowNames.MAX_KEY_LENGTH, MlflowNames.key("k".repeat(300)).length());
    }

    @Test
    void endpointNeverShowsSecrets() {
        TrackingEndpoint e = TrackingEndpoint.of("http://user:pw@host:5000/", Map.of(
                "MLFLOW_TRACKING_USERNAME", "alice", "MLFLOW_TRACKING_PASSWORD", "s3cret", "MLFLOW_TRACKING_TOKEN", "tok123"));
        assertFalse(e.toString().contains("s3cret") || e.toString().contains("tok123") || e.toString().contains("pw"));
        assertFalse(e.display().contains("pw"));
        assertEquals("Bearer tok123", e.authorization().orElseThrow());
        assertTrue(TrackingEndpoint.of("http://h:1", Map.of("MLFLOW_TRACKING_USERNAME", "a",
                "MLFLOW_TRACKING_PASSWORD", "b")).authorization().orElseThrow().startsWith("Basic "));
        assertThrows(IllegalArgumentException.class, () -> TrackingEndpoint.of("sqlite:///x.db", Map.of()));
    }
}
