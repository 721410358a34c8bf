package dev.tersor.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writer then reader, for every dtype, through every way in. */
class SafetensorsRoundTripTest {
    private static final float[] F32 = {1.5f, -0.0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
        Float.MIN_VALUE, Float.MAX_VALUE, 3.0e-5f};
    /** Exactly representable in F16 and BF16 alike: at most 8 significant bits, inside both ranges. */
    private static final float[] HALF_EXACT = {0f, -0.0f, 1f, -2.5f, 0.0078125f, 65280f, 0x1p-14f,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};

    private static void assertBits(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]),
                    "element " + i + ": expected " + expected[i] + " got " + actual[i]);
        }
    }

    /** The same bytes read from memory, a stream, a small file and a (forced) mapped file. */
    private static List<SafetensorsFile> everyWayIn(byte[] bytes, Path dir) throws IOException {
        Path file = Files.write(dir.resolve("t.safetensors"), bytes);
        List<SafetensorsFile> all = new ArrayList<>();
        all.add(Safetensors.read(bytes, "memory"));
        all.add(Safetensors.read(new ByteArrayInputStream(bytes), "stream"));
        all.add(Safetensors.read(file));
        all.add(SafetensorsReader.open(file, 0, SafetensorsReader.MAX_WINDOW));
        assertTrue(all.get(3).isMapped());
        assertFalse(all.get(2).isMapped());
        return all;
    }

    @Test
    void floatDtypes(@TempDir Path dir) throws IOException {
        byte[] bytes = new SafetensorsWriter()
                .add("f32", Tensor.fromArray(F32, 2, 4))
                .add("f64", Tensor.fromArray(F32, 8), DType.F64)
                .add("f16", Tensor.fromArray(HALF_EXACT, 9), DType.F16)
                .add("bf16", Tensor.fromArray(HALF_EXACT, 3, 3), DType.BF16)
                .toByteArray();
        for (SafetensorsFile f : everyWayIn(bytes, dir)) {
            assertEquals(List.of("f32", "f64", "f16", "bf16"), f.names());
            assertBits(F32, f.tensor("f32").toArray());
            assertArrayEquals(new int[] {2, 4}, f.shape("f32"));
            assertBits(F32, f.tensor("f64").toArray());
            assertEquals(DType.F64, f.dtype("f64"));
            assertEquals(-0.0, f.bytes("f64").getDouble(8));
            assertBits(HALF_EXACT, f.tensor("f16").toArray());
            assertBits(HALF_EXACT, f.tensor("bf16").toArray());
            assertArrayEquals(new int[] {3, 3}, f.shape("bf16"));
            assertEquals((short) 0xC100, f.bytes("f16").getShort(2 * 3));    // -2.5 in F16
            assertEquals((short) 0xC020, f.bytes("bf16").getShort(2 * 3));   // -2.5 in BF16
        }
    }

    @Test
    void narrowingRoundsToNearestEven(@TempDir Path dir) throws IOException {
        float[] v = {0.1f, 1 + 0x1p-11f, 1 + 3 * 0x1p-11f, 65520f, 0x1p-25f, Float.intBitsToFloat(0x3F818000), 1e-3f};
        Path p = dir.resolve("n.safetensors");
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("v", Tensor.fromArray(v, 7));
        Safetensors.write(p, tensors, null, DType.F16);
        try (SafetensorsFile f = Safetensors.read(p)) {
            ByteBuffer b = f.bytes("v");
            int[] expected = {0x2E66, 0x3C00, 0x3C02, 0x7C00, 0x0000, 0x3C0C, 0x1419};
            for (int i = 0; i < 7; i++) assertEquals(expected[i], b.getShort(2 * i) & 0xFFFF, "F16 element " + i);
            assertEquals(0.099975586f, f.tensor("v").toArray()[0]);
        }
        Safetensors.write(p, tensors, Map.of(), DType.BF16);
        try (SafetensorsFile f = Safetensors.read(p)) {
            ByteBuffer b = f.bytes("v");
            int[] expected = {0x3DCD, 0x3F80, 0x3F80, 0x4780, 0x3300, 0x3F82, 0x3A83};
            for (int i = 0; i < 7; i++) assertEquals(expected[i], b.getShort(2 * i) & 0xFFFF, "BF16 element " + i);
        }
    }

    @Test
    void integerDtypes(@TempDir Path dir) throws IOException {
        Map<DType, int[]> cases = new LinkedHashMap<>();
        cases.put(DType.I8, new int[] {-128, 127, 0, -1});
        cases.put(DType.U8, new int[] {0, 255, 128, 1});
        cases.put(DType.I16, new int[] {-32768, 32767, 0, -1});
        cases.put(DType.U16, new int[] {0, 65535, 32768, 1});
        cases.put(DType.I32, new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1});
        cases.put(DType.U32, new int[] {0, Integer.MAX_VALUE, 1, 7});
        cases.put(DType.I64, new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1});
        cases.put(DType.U64, new int[] {0, Integer.MAX_VALUE, 1, 7});
        cases.put(DType.BOOL, new int[] {0, 1, 1, 0});
        SafetensorsWriter w = new SafetensorsWriter();
        cases.forEach((t, v) -> w.add(t.name(), IntTensor.of(v, 2, 2), t));
        w.add("default", IntTensor.of(new int[] {5, -6}, 2));
        for (SafetensorsFile f : everyWayIn(w.toByteArray(), dir)) {
            for (Map.Entry<DType, int[]> c : cases.entrySet()) {
                String name = c.getKey().name();
                assertEquals(c.getKey(), f.dtype(name));
                IntTensor it = f.intTensor(name);
                assertArrayEquals(c.getValue(), it.toArray(), name);
                assertArrayEquals(new int[] {2, 2}, it.shape());
                float[] asFloat = f.tensor(name).toArray();
                for (int i = 0; i < 4; i++) assertEquals((float) c.getValue()[i], asFloat[i], name + " as float");
                assertEquals(4L * c.getKey().byteSize(), f.bytes(name).remaining());
            }
            assertEquals(DType.I32, f.dtype("default"));
            assertArrayEquals(new int[] {5, -6}, f.intTensor("default").toArray());
            assertEquals(-1L, f.bytes("I64").getLong(24));
        }
    }

    @Test
    void integerRangeIsCheckedOnAdd() {
        SafetensorsWriter w = new SafetensorsWriter();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> w.add("u", IntTensor.of(new int[] {1, 256}, 2), DType.U8));
        assertEquals("tensor \"u\" element 1 = 256 does not fit in U8", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> w.add("b", IntTensor.of(new int[] {2}, 1), DType.BOOL));
        assertThrows(IllegalArgumentException.class, () -> w.add("n", IntTensor.of(new int[] {-1}, 1), DType.U64));
        assertThrows(IllegalArgumentException.class, () -> w.add("f", IntTensor.of(new int[] {1}, 1), DType.F16));
        assertThrows(IllegalArgumentException.class, () -> w.add("i", Tensor.fromArray(new float[] {1}, 1), DType.I32));
        assertThrows(IllegalArgumentException.class, () -> w.add("e", Tensor.fromArray(new float[] {1}, 1), DType.F8_E4M3));
    }

    @Test
    void rawSourcesForAnyDtype(@TempDir Path dir) throws IOException {
        ByteBuffer u64 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).putLong(1L << 40);
        ByteBuffer u32 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(-1);
        byte[] bytes = new SafetensorsWriter()
                .add("e4m3", DType.F8_E4M3, new int[] {4}, out -> out.write(new byte[] {0x38, 0x7E, 0x01, (byte) 0xB8}))
                .add("e5m2", DType.F8_E5M2, new int[] {2}, out -> out.write(new byte[] {0x3C, (byte) 0xFC}))
                .add("u64", DType.U64, new int[] {2}, out -> out.write(u64.array()))
                .add("u32", DType.U32, new int[] {1}, out -> out.write(u32.array()))
                .add("bools", DType.BOOL, new int[] {3}, out -> out.write(new byte[] {0, 1, 7}))
                .toByteArray();
        for (SafetensorsFile f : everyWayIn(bytes, dir)) {
            assertBits(new float[] {1f, 448f, 0x1p-9f, -1f}, f.tensor("e4m3").toArray());
            assertBits(new float[] {1f, Float.NEGATIVE_INFINITY}, f.tensor("e5m2").toArray());
            assertBits(new float[] {0x1p64f, 0x1p40f}, f.tensor("u64").toArray());
            assertBits(new float[] {0x1p32f}, f.tensor("u32").toArray());
            assertArrayEquals(new int[] {0, 1, 1}, f.intTensor("bools").toArray());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.intTensor("u64"));
            assertTrue(e.getMessage().contains("element 0 = 18446744073709551615 (U64) does not fit in an int32"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> f.intTensor("u32"));
            assertTrue(e.getMessage().contains("element 0 = 4294967295 (U32)"), e.getMessage());
        }
    }

    @Test
    void exactBytesOfASmallFile() {
        byte[] bytes = new SafetensorsWriter()
                .metadata("k", "v")
                .add("a", Tensor.fromArray(new float[] {1, 2}, 2))
                .toByteArray();
        String json = "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        assertEquals(79, json.length());
        byte[] expected = RawFile.of(json + " ", RawFile.floats(1, 2));             // padded to 80
        assertArrayEquals(expected, bytes);
        assertEquals(80, expected[0]);
        // no tensors, no metadata: "{}" and six spaces
        assertArrayEquals(RawFile.of("{}      ", new byte[0]), new SafetensorsWriter().toByteArray());
    }

    @Test
    void headerIsPaddedSoDataIsAligned() {
        for (int len = 1; len <= 9; len++) {
            byte[] bytes = new SafetensorsWriter().add("x".repeat(len), Tensor.fromArray(new float[] {len}, 1)).toByteArray();
            long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, n % 8, "header length for name length " + len);
            assertEquals(n + 8 + 4, bytes.length);
            assertEquals(len, Safetensors.read(bytes, "p").tensor("x".repeat(len)).item());
        }
    }

    @Test
    void metadataOrderAndAwkwardNames(@TempDir Path dir) throws IOException {
        List<String> names = List.of("z.weight", "a \"quoted\" \\ name", "tab\there\nnewline\u0001", "ünï.😀", "", "layer1.0.bn1.running_mean");
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt").metadata("note", "\"x\"\n\u00e9😀");
        for (int i = 0; i < names.size(); i++) w.add(names.get(i), Tensor.fromArray(new float[] {i}, 1));
        byte[] bytes = w.toByteArray();
        assertTrue(new String(bytes, StandardCharsets.UTF_8).contains("\\u0001"));
        for (SafetensorsFile f : everyWayIn(bytes, dir)) {
            assertEquals(names, f.names());
            assertEquals(List.of("format", "note"), List.copyOf(f.metadata().keySet()));
            assertEquals("\"x\"\n\u00e9😀", f.metadata().get("note"));
            for (int i = 0; i < names.size(); i++) assertEquals(i, f.tensor(names.get(i)).item(), names.get(i));
            assertTrue(f.contains("") && !f.contains("missing"));
        }
    }

    @Test
    void scalarsAndEmptyTensors(@TempDir Path dir) throws IOException {
        byte[] bytes = new SafetensorsWriter()
                .add("scalar", Tensor.scalar(4.25f))
                .add("empty", Tensor.zeros(0, 3))
                .add("after", Tensor.fromArray(new float[] {9}, 1))
                .toByteArray();
        for (SafetensorsFile f : everyWayIn(bytes, dir)) {
            assertArrayEquals(new int[0], f.shape("scalar"));
            assertEquals(4.25f, f.tensor("scalar").item());
            assertArrayEquals(new int[] {0, 3}, f.tensor("empty").shape());
            assertEquals(0, f.bytes("empty").remaining());
            assertEquals(9f, f.tensor("after").item());
        }
    }

    @Test
    void stateDictHelpersAndViews(@TempDir Path dir) throws IOException {
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("fc.weight", Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        state.put("fc.bias", Tensor.fromArray(new float[] {-1, 1}, 2));
        Path p = dir.resolve("model.safetensors");
        Safetensors.write(p, state, Map.of("format", "pt"));
        Map<String, Tensor> back = Safetensors.readTensors(p);
        assertEquals(List.copyOf(state.keySet()), List.copyOf(back.keySet()));
        for (String k : state.keySet()) {
            assertArrayEquals(state.get(k).toArray(), back.get(k).toArray());
            assertArrayEquals(state.get(k).shape(), back.get(k).shape());
        }
        SafetensorsFile f = Safetensors.read(p);
        ByteBuffer view = f.bytes("fc.bias");
        assertTrue(view.isReadOnly());
        assertEquals(ByteOrder.LITTLE_ENDIAN, view.order());
        assertEquals(8, view.capacity());
        assertThrows(ReadOnlyBufferException.class, () -> view.putFloat(0, 3f));
        assertEquals(Map.of("format", "pt"), f.metadata());
        assertTrue(f.toString().contains("2 tensors"), f.toString());
        f.close();
        f.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> f.tensor("fc.bias"));
        assertTrue(e.getMessage().contains("is closed"));
        assertEquals(List.of("fc.weight", "fc.bias"), f.names());        // the header stays readable
    }

    @Test
    void writerRejectsBadNames() {
        SafetensorsWriter w = new SafetensorsWriter().add("a", Tensor.scalar(1));
        Tensor t = Tensor.scalar(1);
        assertEquals("duplicate tensor name \"a\"", assertThrows(IllegalArgumentException.class, () -> w.add("a", t)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> w.add("__metadata__", t));
        assertThrows(IllegalArgumentException.class, () -> w.add("bad\uD800", t));
        assertThrows(IllegalArgumentException.class, () -> w.metadata("k", "\uDC00"));
        assertThrows(NullPointerException.class, () -> w.add(null, t));
        assertThrows(IllegalArgumentException.class, () -> w.add("neg", DType.U8, new int[] {-1}, out -> { }));
        assertEquals(1, Safetensors.read(w.toByteArray(), "w").names().size());    // the failed adds left no trace
        assertTrue(Arrays.equals(w.toByteArray(), w.toByteArray()));
    }
}
