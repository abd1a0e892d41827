package io.mergelab.cli;

import io.mergelab.model.hub.HubSettings;
import io.mergelab.model.hub.ModelReference;
import io.mergelab.model.hub.SnapshotFetcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "fetch-model",
        description = {"Download a hub model (config.json, safetensors weights, tokenizer files) into the Hugging Face",
            "cache, exactly as huggingface_hub lays it out, and print its snapshot directory.",
            "Honours HF_HUB_CACHE / HF_HOME, HF_ENDPOINT, HF_TOKEN and HF_HUB_OFFLINE (then it only checks the cache).",
            "Interrupted downloads resume; LFS files are checked against their sha256."},
        mixinStandardHelpOptions = true)
final class FetchModelCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "ID[@REV]", description = "Hub model id, e.g. openai-community/gpt2 or gpt2@main.")
    String id;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "Hub cache directory (default: $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub).")
    Path cache;

    @Option(names = "--endpoint", paramLabel = "URL",
            description = "Hub base URL (default: $HF_ENDPOINT, else huggingface_hub's default).")
    java.net.URI endpoint;

    @Override
    public Integer call() {
        ModelReference.HubId hubId = ModelReference.parseHubId(id);
        HubSettings settings = HubSettings.fromEnvironment();
        if (cache != null) {
            settings = settings.withCacheDir(cache);
        }
        if (endpoint != null) {
            settings = settings.withEndpoint(endpoint);
        }
        Path snapshot = new SnapshotFetcher(settings, System.err).fetch(hubId);
        spec.commandLine().getOut().println(snapshot);
        return 0;
    }
}
