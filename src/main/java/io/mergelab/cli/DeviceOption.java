package io.mergelab.cli;

import ai.djl.Device;
import io.mergelab.model.device.ComputeRequest;
import io.mergelab.model.device.DeviceSelector;
import picocli.CommandLine.Option;

/** {@code --device} and {@code --precision}, shared by the commands that run a model (a picocli mixin). */
final class DeviceOption {
    @Option(names = "--device", paramLabel = "auto|cpu|cuda|cuda:N", defaultValue = "auto",
            description = "Where the model computes (default: ${DEFAULT-VALUE}: the first GPU of a CUDA build, else the "
                    + "CPU). cuda needs the `mvn -Pcuda` build and a visible GPU.")
    String device;

    @Option(names = "--precision", paramLabel = "fp32|fp16|bf16", defaultValue = "fp32",
            description = "fp16/bf16 ask for mixed precision; DJL has no autocast, so mergelab computes in fp32 "
                    + "and says so (default: ${DEFAULT-VALUE}).")
    String precision;

    ComputeRequest request() {
        ComputeRequest.parse(device, "fp32", "--device");
        ComputeRequest.parse("cpu", precision, "--precision");
        return ComputeRequest.parse(device, precision, "--device " + device);
    }

    /** The device to use on this machine; a note on stderr when the precision asked for is not applied. */
    Device choose() {
        return request().choose(DeviceSelector.forThisMachine(), System.err);
    }
}
