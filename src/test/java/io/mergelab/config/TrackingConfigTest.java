package io.mergelab.config;

import io.mergelab.yaml.ConfigException;

import io.mergelab.pipeline.TrackingSettings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The study's {@code tracking:} section: validated with file:line:col errors, resolved with the environment. */
class TrackingConfigTest {
    @TempDir
    Path home;

    StudyConfigParser parser;

    @BeforeEach
    void setUp() throws IOException {
        Files.createDirectories(home.resolve("configs/datasets"));
        Files.writeString(home.resolve("configs/datasets/yelp.yaml"), "name: yelp\n");
        parser = new StudyConfigParser(new ConfigLayers(Map.of(), home.resolve("configs")), home);
    }

    private StudyConfig parse(String tracking, String... overrides) throws IOException {
        Path f = home.resolve("study.yaml");
        Files.writeString(f, "name: s\ndatasets: [yelp]\n" + tracking);
        return parser.parse(f, List.of(overrides));
    }

    private void assertError(String tracking, String expected) throws IOException {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(tracking));
        assertEquals(home.resolve("study.yaml") + ":" + expected, e.getMessage());
    }

    @Test
    void yamlUriWinsOverTheEnvironmentWhichIsTheDefault() throws IOException {
        Map<String, String> env = Map.of("MLFLOW_TRACKING_URI", "http://env:5000", "MLFLOW_TRACKING_TOKEN", "t0k");
        TrackingSettings yaml = TrackingSettings.resolve(parse("tracking: {uri: 'http://yaml:5111/'}\n"), env);
        assertEquals("http://yaml:5111", yaml.endpoint().orElseThrow().display());
        assertEquals("t0k", yaml.endpoint().orElseThrow().token());
        assertEquals("s", yaml.experiment());
        assertTrue(yaml.enabled());

        TrackingSettings fromEnv = TrackingSettings.resolve(parse("tracking: {experiment: merges-2026}\n"), env);
        assertEquals("http://env:5000", fromEnv.endpoint().orElseThrow().display());
        assertEquals("merges-2026", fromEnv.experiment());

        TrackingSettings set = TrackingSettings.resolve(parse("", "tracking.uri=http://set:1"), env);
        assertEquals("http://set:1", set.endpoint().orElseThrow().display());
    }

    @Test
    void withoutAnyUriTrackingIsJournalOnlyAndCanBeSwitchedOff() throws IOException {
        TrackingSettings none = TrackingSettings.resolve(parse(""), Map.of());
        assertTrue(none.enabled());
        assertTrue(none.endpoint().isEmpty());
        assertFalse(TrackingSettings.resolve(parse("tracking: {enabled: false}\n"), Map.of()).enabled());
    }

    @Test
    void badTrackingSectionsAreOneLineErrorsAtTheValue() throws IOException {
        assertError("tracking: {url: 'http://x:1'}\n",
                "3:12: unknown key 'tracking.url' (did you mean 'uri'?); expected one of uri, enabled, experiment, upload_models_mb");
        assertError("tracking:\n  uri: sqlite:///mlflow.db\n",
                "4:8: tracking.uri: expected http(s)://host:port of an MLflow tracking server "
                        + "(start one with bin/mlflow-server start)");
        assertError("tracking: {enabled: yes please}\n",
                "3:21: tracking.enabled: expected true or false, got a string 'yes please'");
        assertError("tracking: {experiment: \"it's\"}\n",
                "3:24: tracking.experiment: expected a non-empty MLflow experiment name without single quotes");
        assertError("tracking: http://x:1\n", "3:11: tracking: expected a mapping, got a string");
    }
}
