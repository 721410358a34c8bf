package dev.tersor.compress.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tersor.compress.io.CompressedModel;
import dev.tersor.compress.io.SizeReport;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.io.DType;
import dev.tersor.nn.io.Safetensors;
import dev.tersor.nn.io.SafetensorsFile;
import dev.tersor.nn.io.SafetensorsFormatException;
import dev.tersor.nn.io.SafetensorsWriter;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sparse layers through a compressed file: round trip, the injected speed decision, sizes, and corrupt data. */
class SparseFileTest {
    @TempDir
    Path dir;
    Path good;
    Module converted;
    SparsityReport report;
    Tensor x;

    /** fc2 measured slower sparse (kept dense), everything else faster. */
    static final SpeedCheck FIXED = (path, sparse, dense, input) -> path.equals("fc2") ? new SpeedCheck.Timing(2e-6, 1e-6) : new SpeedCheck.Timing(1e-6, 2e-6);

    @BeforeEach
    void makeFile() throws Exception {
        Rng.manualSeed(21);
        Module model = Zoo.create("lenet5");
        Sparsifier s = Sparsifier.attach(model, new SparsifyConfig(0.5, PruningScope.LAYER, List.of(), false));
        Tensor fc3 = s.layers().get("fc3").weight().value().detach().copy();
        s.prune(0.5);
        MaskedLayer fc1 = s.layers().get("fc1");
        fc1.setMask(MagnitudePruning.select(List.of(fc1.weight().value().toArray()), List.of(fc1.keep()), 0.95, PruningScope.LAYER).get(0));
        boolean[] all = new boolean[s.layers().get("fc3").mask().numel()];
        Arrays.fill(all, true);
        s.layers().get("fc3").setMask(all);     // unpruned: sparse storage is larger, stays a float layer
        try (var g = Tensor.noGrad()) {
            s.layers().get("fc3").weight().value().copyInPlace(fc3);
        }
        x = MaskedLayersTest.randn(new Random(22), 3, 1, 28, 28);
        report = SparseConversion.convert(model, Tensor.zeros(1, 1, 28, 28), FIXED);
        converted = model;
        good = dir.resolve("sparse.safetensors");
        CompressedModel.save(model, "lenet5", "sparsify test", good);
    }

    @Test
    void theReportHoldsTheDecisionsAndFormats() {
        Map<String, SparsityReport.Row> rows = new LinkedHashMap<>();
        for (SparsityReport.Row r : report.rows()) rows.put(r.path(), r);
        assertEquals(List.of("conv1", "conv2", "fc1", "fc2", "fc3"), List.copyOf(rows.keySet()));
        assertEquals(SparseFormat.CSR, rows.get("fc1").format());
        assertEquals(2400, rows.get("fc1").nonzeros());
        // CSR: 2400 values + 2400 U16 columns + 121 U16 row pointers + 120 bias floats
        assertEquals(4 * 2400 + 2 * 2400 + 2 * 121 + 4 * 120, rows.get("fc1").storedBytes());
        assertEquals(SparseFormat.BITMASK, rows.get("conv2").format());
        // bitmask: 1200 values + ⌈2400/8⌉ mask bytes + 16 bias floats
        assertEquals(1200, rows.get("conv2").nonzeros());
        assertEquals(4 * 1200 + 300 + 4 * 16, rows.get("conv2").storedBytes());
        assertEquals(SparseFormat.DENSE, rows.get("fc3").format());
        assertFalse(rows.get("fc2").sparseCompute());
        assertTrue(rows.get("fc1").sparseCompute());
        assertEquals(List.of("fc2: 50% sparse but 2.00× slower than dense at batch 1 → kept dense",
                "fc3: 0% sparse, sparse storage is not smaller than float32 → kept dense"), report.notes());
        assertTrue(report.toString().contains("dense (sparse slower)"), report.toString());
    }

    @Test
    void roundTripIsBitExact() throws Exception {
        Module loaded = CompressedModel.load(good);
        assertTrue(loaded.get("fc1") instanceof SparseLinear l && l.computesSparse() && l.format() == SparseFormat.CSR);
        assertTrue(loaded.get("fc2") instanceof SparseLinear l && !l.computesSparse());
        assertTrue(loaded.get("conv2") instanceof SparseConv2d c && c.format() == SparseFormat.BITMASK);
        assertEquals(Linear.class, loaded.get("fc3").getClass());
        for (String p : List.of("conv1", "conv2", "fc1", "fc2")) {
            assertArrayEquals(((SparseLayer) converted.get(p)).denseWeight().toArray(), ((SparseLayer) loaded.get(p)).denseWeight().toArray(), p);
        }
        try (var g = Tensor.noGrad()) {
            assertArrayEquals(converted.call(x).toArray(), loaded.call(x).toArray());
        }
        // the file is the true size: the sparse tensors plus a header
        long stored = SizeReport.of(loaded, 1, 28, 28).storedBytes();
        long size = Files.size(good);
        assertTrue(size > stored && size < stored + 4096, size + " bytes for " + stored + " stored");
    }

    @Test
    void sparseComputeMatchesTheMaskedModel() throws Exception {
        Rng.manualSeed(21);
        Module model = Zoo.create("lenet5");
        Sparsifier s = Sparsifier.attach(model, SparsifyConfig.global(0.8));
        s.prune(0.8);
        Tensor want;
        try (var g = Tensor.noGrad()) {
            want = model.eval().call(x);
        }
        SparseConversion.convert(model, Tensor.zeros(2, 1, 28, 28), SpeedCheck.ALWAYS_SPARSE);
        for (String p : List.of("conv1", "conv2", "fc1", "fc2", "fc3")) assertTrue(((SparseLayer) model.get(p)).computesSparse(), p);
        try (var g = Tensor.noGrad()) {
            assertArrayEquals(want.toArray(), model.call(x).toArray(), 1e-4f);
        }
    }

    // ---- corrupt files ----

    private String loadError(UnaryOperator<Map<String, String>> meta, String tensor, UnaryOperator<int[]> change) throws Exception {
        Path bad = dir.resolve("bad.safetensors");
        try (SafetensorsFile f = Safetensors.read(good)) {
            SafetensorsWriter w = new SafetensorsWriter().metadata(meta.apply(new LinkedHashMap<>(f.metadata())));
            for (String name : f.names()) {
                DType d = f.dtype(name);
                if (d == DType.F32) {
                    w.add(name, f.tensor(name));
                } else {
                    int[] read = f.intTensor(name).toArray();
                    int[] v = name.equals(tensor) ? change.apply(read) : read;
                    w.add(name, d, new int[] {v.length}, out -> {
                        for (int i : v) {
                            if (d == DType.U8) out.write(i);
                            else if (d == DType.U16) {
                                out.write(i & 0xFF);
                                out.write(i >>> 8 & 0xFF);
                            } else throw new IllegalStateException("test writes U8/U16 only");
                        }
                    });
                }
            }
            w.write(bad);
        }
        return assertThrows(SafetensorsFormatException.class, () -> CompressedModel.load(bad)).getMessage();
    }

    private static UnaryOperator<Map<String, String>> set(String key, String value) {
        return m -> {
            m.put(key, value);
            return m;
        };
    }

    @Test
    void corruptCsrDataIsNamed() throws Exception {
        String notMonotone = loadError(UnaryOperator.identity(), "fc1.row_ptr", v -> {
            v[10] = v[12];
            return v;
        });
        assertTrue(notMonotone.contains("layer 'fc1': corrupt csr data: CsrMatrix: row pointers are not monotone: pointer 11"), notMonotone);
        String column = loadError(UnaryOperator.identity(), "fc1.col_idx", v -> {
            v[5] = 400;
            return v;
        });
        assertTrue(column.contains("layer 'fc1': corrupt csr data: CsrMatrix: column index 400 at position 5 (row 0) is outside [0, 400)"), column);
        String huge = loadError(set("tersor.layer.fc1.nnz", "2000000000"), null, null);
        assertTrue(huge.contains("layer 'fc1': nnz = 2000000000 is outside [0, 48000]"), huge);
        String count = loadError(set("tersor.layer.fc1.nnz", "2401"), null, null);
        assertTrue(count.contains("tensor fc1.values is F32 [2400], expected F32 [2401]"), count);
        String bits = loadError(UnaryOperator.identity(), "conv2.mask", v -> {
            for (int i = 0; i < v.length; i++) {
                if (v[i] != 0xFF) {
                    v[i] |= Integer.lowestOneBit(~v[i] & 0xFF);
                    return v;
                }
            }
            return v;
        });
        assertTrue(bits.contains("layer 'conv2': corrupt bitmask data: the mask has more set bits than the 1200 values"), bits);
        String compute = loadError(set("tersor.layer.fc1.compute", "fast"), null, null);
        assertTrue(compute.contains("scheme entry 'compute' is \"fast\", expected sparse or dense"), compute);
        String format = loadError(set("tersor.layer.fc1.format", "coo"), null, null);
        assertTrue(format.contains("scheme entry 'format' is \"coo\", expected csr or bitmask"), format);
    }

    @Test
    void mutatedFilesFailWithTheDocumentedExceptionsOnly() throws Exception {
        byte[] bytes = Files.readAllBytes(good);
        long header = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0);
        Random rnd = new Random(2027);
        Path bad = dir.resolve("mutated.safetensors");
        for (int round = 0; round < 150; round++) {
            byte[] m = bytes.clone();
            int kind = round % 3;
            if (kind == 2) {
                m = Arrays.copyOf(m, rnd.nextInt(m.length));
            } else {
                for (int f = 0, flips = 1 + rnd.nextInt(4); f < flips; f++) {
                    int at = kind == 0 ? 8 + rnd.nextInt((int) header) : rnd.nextInt(m.length);
                    m[at] = (byte) (kind == 0 ? " ,:\"0123456789[]{}abcdefghijklmnopqrstuvwxyz.".charAt(rnd.nextInt(45)) : rnd.nextInt(256));
                }
            }
            Files.write(bad, m);
            try {
                CompressedModel.load(bad);
            } catch (IllegalArgumentException | java.io.IOException expected) {
                // the documented failures
            } catch (RuntimeException e) {
                fail("round " + round + ": " + e, e);
            }
        }
    }
}
