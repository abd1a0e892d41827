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

    @Test
    void impossibleRequestsNameTheOptionAndWhatIsAvailable() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DeviceSelector(0, false).select(DeviceRequest.parse("cuda:1"), "--device cuda:1"));
        assertTrue(e.getMessage().startsWith("--device cuda:1: cuda:1 requested"), e.getMessage());
        assertTrue(e.getMessage().contains("(available: cpu)"), e.getMessage());
        assertEquals("cpu, cuda:0, cuda:1", new DeviceSelector(2, true).available());
        assertEquals("cpu", new DeviceSelector(2, false).available(), "GPUs without a CUDA libtorch are not usable");
        assertEquals(Device.cpu(), new DeviceSelector(2, false).select(DeviceRequest.AUTO));
    }

    @Test
    void precisionParsesAndIsNeverSilentlyDropped() {
        assertEquals(Precision.BF16, Precision.parse("bfloat16"));
        assertEquals(Precision.FP16, Precision.parse(" FP16 "));
        assertEquals(Precision.FP32, Precision.parse(null));
        assertThrows(IllegalArgumentException.class, () -> Precision.parse("int8"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ComputeRequest.parse("cpu", "fp8", "precision (x.yaml:3:12)"));
        assertTrue(bad.getMessage().startsWith("precision (x.yaml:3:12): precision 'fp8'"), bad.getMessage());

        ComputeRequest cpuBf16 = ComputeRequest.parse("cpu", "bf16", "--device cpu");
        java.io.ByteArrayOutputStream notes = new java.io.ByteArrayOutputStream();
        assertEquals(Device.cpu(), cpuBf16.choose(new DeviceSelector(0, false), new java.io.PrintStream(notes, true)));
        assertEquals("mergelab: note: precision bf16 (--device cpu): mixed precision is off on the CPU; computing in fp32",
                notes.toString().strip());
        assertTrue(ComputeRequest.parse("cuda", "fp16", "device").precisionNote(Device.gpu(0)).contains("no autocast"));
        assertEquals(null, ComputeRequest.parse("cuda", "fp32", "device").precisionNote(Device.gpu(0)));
    }
}
