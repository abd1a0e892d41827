package io.mergelab.model.device;

import ai.djl.Device;

/**
 * Turns a {@link DeviceRequest} into a DJL device, given how many GPUs the engine sees. The GPU count is
 * a constructor argument (not looked up here) so the decision is testable on machines without a GPU.
 */
public final class DeviceSelector {
    private final int gpuCount;
    private final boolean cudaBuild;

    /**
     * @param gpuCount  GPUs the engine can use ({@code Engine.getInstance().getGpuCount()})
     * @param cudaBuild whether this build carries a CUDA libtorch (the Maven {@code cuda} profile)
     */
    public DeviceSelector(int gpuCount, boolean cudaBuild) {
        this.gpuCount = gpuCount;
        this.cudaBuild = cudaBuild;
    }

    /** The selector for this JVM's engine. */
    public static DeviceSelector forThisMachine() {
        ai.djl.engine.Engine engine = ai.djl.engine.Engine.getInstance();
        return new DeviceSelector(engine.getGpuCount(), engine.hasCapability(ai.djl.engine.StandardCapabilities.CUDA));
    }

    public Device select(DeviceRequest request) {
        return select(request, "device");
    }

    /**
     * As {@link #select(DeviceRequest)}; an impossible request is a one-line error that starts with {@code where}
     * (the option or config field that asked) and says what this machine has.
     */
    public Device select(DeviceRequest request, String where) {
        return switch (request.kind()) {
            case CPU -> Device.cpu();
            case AUTO -> gpuCount > 0 && cudaBuild ? Device.gpu(0) : Device.cpu();
            case CUDA -> {
                if (!cudaBuild) {
                    throw new IllegalArgumentException(where + ": " + request + " requested, but this build has the CPU "
                            + "libtorch (available: " + available() + "); rebuild with `mvn -Pcuda package` on a CUDA "
                            + "node (README, GPUs) or use cpu");
                }
                if (request.index() >= gpuCount) {
                    throw new IllegalArgumentException(where + ": " + request + " requested, but "
                            + (gpuCount == 0 ? "no GPU is visible" : "only " + gpuCount + " GPU(s) are visible")
                            + " (available: " + available() + "; check CUDA_VISIBLE_DEVICES and the job's --gpus)");
                }
                yield Device.gpu(request.index());
            }
        };
    }

    /** What a request can name here, e.g. {@code cpu} or {@code cpu, cuda:0, cuda:1}. */
    public String available() {
        StringBuilder sb = new StringBuilder("cpu");
        for (int i = 0; cudaBuild && i < gpuCount; i++) {
            sb.append(", cuda:").append(i);
        }
        return sb.toString();
    }

    /** Mixed precision is only worth turning on for GPUs; on CPU it is always off. */
    public static boolean autocastAllowed(Device device) {
        return device.isGpu();
    }
}
