package io.mergelab.model.device;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeviceSelectorTest {

    @Test
    void parsesEveryAcceptedSpelling() {
        assertEquals(DeviceRequest.AUTO, DeviceRequest.parse("auto"));
        assertEquals(DeviceRequest.AUTO, DeviceRequest.parse(null));
        assertEquals(DeviceRequest.CPU, DeviceRequest.parse(" CPU "));
        assertEquals(new DeviceRequest(DeviceRequest.Kind.CUDA, 0), DeviceRequest.parse("cuda"));
        assertEquals(new DeviceRequest(DeviceRequest.Kind.CUDA, 3), DeviceRequest.parse("cuda:3"));
        assertEquals(new DeviceRequest(DeviceRequest.Kind.CUDA, 1), DeviceRequest.parse("gpu:1"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceRequest.parse("tpu"));
        assertTrue(e.getMessage().contains("'tpu'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DeviceRequest.parse("cuda:x"));
    }

    @Test
    void autoTakesTheFirstGpuWhenThereIsOneElseTheCpu() {
        assertEquals(Device.cpu(), new DeviceSelector(0, false).select(DeviceRequest.AUTO));
        assertEquals(Device.gpu(0), new DeviceSelector(2, true).select(DeviceRequest.AUTO));
        assertEquals(Device.cpu(), new DeviceSelector(2, true).select(DeviceRequest.CPU));
    }

    @Test
    void explicitCudaNeedsACudaBuildAndAVisibleGpu() {
        assertEquals(Device.gpu(1), new DeviceSelector(2, true).select(DeviceRequest.parse("cuda:1")));
        IllegalArgumentException cpuBuild = assertThrows(IllegalArgumentException.class,
                () -> new DeviceSelector(0, false).select(DeviceRequest.parse("cuda")));
        assertTrue(cpuBuild.getMessage().contains("-Pcuda"), cpuBuild.getMessage());
        IllegalArgumentException tooFew = assertThrows(IllegalArgumentException.class,
                () -> new DeviceSelector(2, true).select(DeviceRequest.parse("cuda:2")));
        assertTrue(tooFew.getMessage().contains("only 2 GPU(s)"), tooFew.getMessage());
    }

    @Test
    void thisMachineIsCpuOnly() {
        // CI machines have no GPU and the default build carries the CPU libtorch
        assertEquals(Device.cpu(), DeviceSelector.forThisMachine().select(DeviceRequest.AUTO));
        assertFalse(DeviceSelector.autocastAllowed(Device.cpu()));
    }
}
