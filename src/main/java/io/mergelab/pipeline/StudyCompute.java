package io.mergelab.pipeline;

import ai.djl.Device;
import io.mergelab.config.StudyConfig;
import io.mergelab.model.device.ComputeRequest;
import io.mergelab.model.device.DeviceSelector;
import io.mergelab.slurm.SlurmSettings;
import io.mergelab.slurm.SlurmStage;

import java.util.List;
import java.util.Set;

/**
 * A study's {@code device}/{@code precision} turned into a DJL device where a step runs: on the machine (or Slurm
 * node) that computes, not where the study was planned, since a login node usually has no GPU.
 */
public final class StudyCompute {
    /** Step kinds that run a model; their Slurm stages get GPUs when the study asks for a CUDA device. */
    static final Set<String> MODEL_KINDS = Set.of("finetune", "evaluate");

    private StudyCompute() {
    }

    /** {@code settings} with {@code --gpus} on the fine-tune and evaluate stages when the study asks for cuda. */
    public static SlurmSettings withGpus(SlurmSettings settings, StudyConfig.Compute c, List<SlurmStage> stages) {
        List<String> names = stages.stream().map(SlurmStage::name)
                .filter(n -> MODEL_KINDS.contains(n.replaceFirst("-\\d+$", ""))).toList();
        return settings.withGpusWhereUnset(c.gpusNeeded(), names);
    }

    public static ComputeRequest request(StudyConfig.Compute c) {
        return ComputeRequest.parse(c.device(), c.precision(), c.where());
    }

    /** The device for a step here; a one-line error naming the config field when this machine cannot give it. */
    public static Device choose(StudyConfig.Compute c) {
        return request(c).choose(DeviceSelector.forThisMachine(), System.err);
    }
}
