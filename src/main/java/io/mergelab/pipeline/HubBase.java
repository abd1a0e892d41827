package io.mergelab.pipeline;

import io.mergelab.yaml.ConfigException;
import io.mergelab.config.StudyConfig;
import io.mergelab.model.hub.HubException;
import io.mergelab.model.hub.HubSettings;
import io.mergelab.model.hub.ModelReference;
import io.mergelab.model.hub.SnapshotFetcher;

/** Checks a study's hub-id base model when the study is planned, so a bad id or an offline miss stops it early. */
final class HubBase {
    private HubBase() {
    }

    /** The parsed id; with HF_HUB_OFFLINE set, also that the cache holds a complete snapshot of it. */
    static ModelReference.HubId check(StudyConfig.BaseModel b) {
        return check(b, HubSettings.fromEnvironment());
    }

    static ModelReference.HubId check(StudyConfig.BaseModel b, HubSettings settings) {
        try {
            ModelReference.HubId id = ModelReference.parseHubId(b.hubId());
            if (settings.offline()) {
                new SnapshotFetcher(settings, null).fromCache(id, "HF_HUB_OFFLINE is set");
            }
            return id;
        } catch (HubException e) {
            throw new ConfigException(b.mark(), "base_model.name: " + e.getMessage(), e);
        }
    }
}
