package io.mergelab.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    private static final float[] SPECIAL = {
        0f, -0f, 1f, -2.5f, 65504f, -65504f, 0x1p-24f, -0x1p-24f, 0x3ffp-24f, 0x1p-14f, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, Float.NaN, 0.1f, 3.14159f,
    };

    private static void assertBitsEqual(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]),
                    "index " + i + ": " + expected[i] + " vs " + actual[i]);
        }
    }

    @Test
    void f32RoundTripIsBitExact() throws IOException {
        float[] big = new float[3 * 1000 * 700]; // bigger than one IO chunk
        for (int i = 0; i < big.length; i++) {
            big[i] = (float) Math.sin(i) * i;
        }
        Path f = dir.resolve("f32.safetensors");
        SafetensorsWriter.write(f, List.of(new FloatTensor("special", new long[] {3, 5}, SPECIAL),
                new FloatTensor("big", new long[] {3, 1000, 700}, big),
                new FloatTensor("scalar", new long[] {}, new float[] {7f}),
                new FloatTensor("empty", new long[] {0, 4}, new float[0])), DType.F32, Map.of());
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertBitsEqual(SPECIAL, st.readFloat32("special"));
            assertArrayEquals(big, st.readFloat32("big"));
            assertArrayEquals(new float[] {7f}, st.readFloat32("scalar"));
            assertEquals(0, st.readFloat32("empty").length);
            TensorInfo t = st.tensor("big").orElseThrow();
            assertEquals(DType.F32, t.dtype());
            assertEquals("[3, 1000, 700]", t.shapeString());
            assertEquals(2_100_000L, t.numel());
            assertEquals(List.of("special", "big", "scalar", "empty"), st.tensors().stream().map(TensorInfo::name)
                    .toList());
            assertEquals(List.of(), st.warnings());
        }
    }

    @Test
    void f16RoundTripKeepsSpecialValues() throws IOException {
        Path f = dir.resolve("f16.safetensors");
        SafetensorsWriter.write(f, List.of(new FloatTensor("x", new long[] {SPECIAL.length}, SPECIAL)), DType.F16,
                Map.of());
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            TensorInfo t = st.tensor("x").orElseThrow();
            assertEquals(DType.F16, t.dtype());
            assertEquals(2L * SPECIAL.length, t.byteLength());
            float[] back = st.readFloat32("x");
            float[] expected = SPECIAL.clone();
            expected[13] = 0.0999755859375f; // nearest half to 0.1
            expected[14] = 3.140625f; // nearest half to 3.14159
            assertBitsEqual(expected, back);
            ByteBuffer raw = st.readRaw("x");
            assertEquals(ByteOrder.LITTLE_ENDIAN, raw.order());
            assertEquals((short) 0x8000, raw.getShort(2)); // -0 keeps its sign
            assertEquals((short) 0x7bff, raw.getShort(8)); // 65504 = max half
            assertEquals((short) 0x0001, raw.getShort(12)); // smallest subnormal
        }
    }

    @Test
    void readsBf16AgainstHandComputedValues() throws IOException {
        // 1.0, -2.0, 3.140625, 1e-40 (subnormal as bf16 0x0001 = 2^-133), +inf, NaN, -0
        byte[] data = RawSafetensors.leShorts(0x3f80, 0xc000, 0x4049, 0x0001, 0x7f80, 0x7fc0, 0x8000);
        Path f = RawSafetensors.write(dir.resolve("bf16.safetensors"),
                "{\"w\":{\"dtype\":\"BF16\",\"shape\":[7],\"data_offsets\":[0,14]}}", data);
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertBitsEqual(new float[] {1f, -2f, 3.140625f, 0x1p-133f, Float.POSITIVE_INFINITY, Float.NaN, -0f},
                    st.readFloat32("w"));
        }
    }

    @Test
    void headerIsSpacePaddedTo8Bytes() throws IOException {
        for (int nameLen = 1; nameLen <= 9; nameLen++) {
            Path f = dir.resolve("pad" + nameLen + ".safetensors");
            SafetensorsWriter.write(f, List.of(new FloatTensor("t".repeat(nameLen), new long[] {1}, new float[] {1})),
                    DType.F32, Map.of("format", "pt"));
            byte[] bytes = Files.readAllBytes(f);
            long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, (8 + n) % 8, "header length " + n);
            assertEquals(8 + n + 4, bytes.length);
            String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
            assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"pt\"}"), header);
            assertEquals(header.stripTrailing() + " ".repeat(header.length() - header.stripTrailing().length()), header);
        }
    }

    @Test
    void metadataRoundTrips() throws IOException {
        Path f = dir.resolve("meta.safetensors");
        Map<String, String> meta = Map.of("format", "pt", "merge", "{\"method\": \"ties\"}", "ünïcode", "✓");
        SafetensorsWriter.write(f, List.of(new FloatTensor("a", new long[] {2}, new float[] {1, 2})), DType.F32, meta);
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertEquals(meta, st.metadata());
            assertEquals(f, st.path());
        }
    }

    /**
     * BF16 output rounds to nearest even exactly as torch does. Expected bits from torch 2.15:
     * torch.tensor(values, dtype=torch.float32).to(torch.bfloat16).view(torch.int16)
     */
    @Test
    void bf16WriteRoundsLikeTorch() throws IOException {
        float[] values = {1.0f, 1.00390625f, 1.01171875f, -2.5f, Float.MAX_VALUE, 1e-40f, -0.0f, 0.1f, 65504.0f,
            Float.POSITIVE_INFINITY, Float.NaN};
        int[] torchBits = {0x3f80, 0x3f80, 0x3f82, 0xc020, 0x7f80, 0x0001, 0x8000, 0x3dcd, 0x4780, 0x7f80};
        Path f = dir.resolve("bf16.safetensors");
        SafetensorsWriter.write(f, List.of(new FloatTensor("w", new long[] {values.length}, values)), DType.BF16, Map.of());
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertEquals(DType.BF16, st.tensor("w").orElseThrow().dtype());
            java.nio.ByteBuffer raw = st.readRaw("w");
            for (int i = 0; i < torchBits.length; i++) {
                assertEquals(torchBits[i], raw.getShort(2 * i) & 0xffff, "value " + values[i]);
            }
            assertTrue(Float.isNaN(st.readFloat32("w")[values.length - 1]));
        }
    }

    @Test
    void writerRejectsOtherOutputDtypes() {
        List<FloatTensor> t = List.of(new FloatTensor("a", new long[] {1}, new float[] {1}));
        assertThrows(IllegalArgumentException.class,
                () -> SafetensorsWriter.write(dir.resolve("x.safetensors"), t, DType.I32, Map.of()));
        assertFalse(Files.exists(dir.resolve("x.safetensors")));
    }

    @Test
    void floatTensorValidatesNumel() {
        assertThrows(IllegalArgumentException.class, () -> new FloatTensor("a", new long[] {2, 3}, new float[5]));
    }

    @Test
    void streamingWriterEnforcesOrderAndCleansUp() throws IOException {
        Path f = dir.resolve("stream.safetensors");
        List<TensorSpec> specs = List.of(new TensorSpec("a", new long[] {2}, DType.F32),
                new TensorSpec("b", new long[] {3}, DType.F16));
        try (SafetensorsWriter.Streaming w = SafetensorsWriter.Streaming.open(f, specs, Map.of())) {
            assertThrows(IllegalArgumentException.class, () -> w.put(new FloatTensor("b", new long[] {3}, new float[3])));
            assertThrows(IllegalArgumentException.class, () -> w.put(new FloatTensor("a", new long[] {1, 2},
                    new float[2])));
            w.put(new FloatTensor("a", new long[] {2}, new float[] {1, 2}));
            assertThrows(IllegalStateException.class, w::commit); // "b" missing
        }
        assertFalse(Files.exists(f));
        assertEquals(0, listDir().size(), "temp file left behind");

        try (SafetensorsWriter.Streaming w = SafetensorsWriter.Streaming.open(f, specs, Map.of())) {
            w.put(new FloatTensor("a", new long[] {2}, new float[] {1, 2}));
            w.put(new FloatTensor("b", new long[] {3}, new float[] {3, 4, 5}));
            w.commit();
        }
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertArrayEquals(new float[] {3, 4, 5}, st.readFloat32("b"));
            assertEquals(DType.F16, st.tensor("b").orElseThrow().dtype());
        }
        assertEquals(List.of(f), listDir());
    }

    @Test
    void overwritesAtomicallyAndLeavesNoTempFiles() throws IOException {
        Path f = dir.resolve("w.safetensors");
        SafetensorsWriter.write(f, List.of(new FloatTensor("a", new long[] {1}, new float[] {1})), DType.F32, Map.of());
        SafetensorsWriter.write(f, List.of(new FloatTensor("a", new long[] {1}, new float[] {2})), DType.F32, Map.of());
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertArrayEquals(new float[] {2}, st.readFloat32("a"));
        }
        assertEquals(List.of(f), listDir());
    }

    @Test
    void readsFromClosedFileFailClearly() throws IOException {
        Path f = dir.resolve("c.safetensors");
        SafetensorsWriter.write(f, List.of(new FloatTensor("a", new long[] {1}, new float[] {1})), DType.F32, Map.of());
        SafetensorsFile st = SafetensorsFile.open(f);
        st.close();
        assertThrows(IllegalStateException.class, () -> st.readFloat32("a"));
    }

    private List<Path> listDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
