package io.mergelab.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Offsets past 2^31 must work: 9 x 64M floats = 2.25 GiB, streamed from one reused array. */
@Tag("slow")
class LargeFileTest {
    @TempDir
    Path dir;

    @Test
    void streamsAndReadsBackAFileOver2GiB() throws IOException {
        int n = 64 << 20;
        int count = 9;
        long[] shape = {n / 1024, 1024};
        List<TensorSpec> specs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            specs.add(new TensorSpec("t" + i, shape, DType.F32));
        }
        Path f = dir.resolve("big.safetensors");
        try {
            float[] data = new float[n];
            for (int j = 0; j < n; j++) {
                data[j] = j;
            }
            try (SafetensorsWriter.Streaming w = SafetensorsWriter.Streaming.open(f, specs, Map.of("format", "pt"))) {
                for (int i = 0; i < count; i++) {
                    data[0] = i; // tag each tensor so a wrong offset shows
                    data[n - 1] = -i;
                    w.put(new FloatTensor("t" + i, shape, data));
                }
                w.commit();
            }
            data = null; // let the heap hold only the read-back copy
            assertTrue(Files.size(f) > (1L << 31) + (1L << 28), "file is " + Files.size(f));
            try (SafetensorsFile st = SafetensorsFile.open(f)) {
                TensorInfo last = st.tensor("t8").orElseThrow();
                assertTrue(last.fileOffset() > Integer.MAX_VALUE);
                assertEquals(Files.size(f), last.fileOffset() + last.byteLength());
                float[] back = st.readFloat32("t8");
                assertEquals(n, back.length);
                assertEquals(8f, back[0]);
                assertEquals(-8f, back[n - 1]);
                for (int j = 1; j < n - 1; j += 9973) {
                    assertEquals((float) j, back[j], "index " + j);
                }
                assertEquals(12345f, back[12345]);
                assertEquals(st.readRaw("t0").getFloat(4), 1f);
            }
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
