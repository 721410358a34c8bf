package dev.tersor.compress.sparse;

import dev.tersor.compress.io.LayerCodec;
import dev.tersor.nn.io.DType;
import dev.tersor.nn.io.SafetensorsFile;
import dev.tersor.nn.io.SafetensorsWriter;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.sparse.CsrMatrix;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A layer's weight [rows, cols] (a convolution's [K, C/g·kh·kw]) as its nonzeros and its float
 * bias, and how they are written ({@link SparseFormat#CSR} or {@link SparseFormat#BITMASK},
 * whichever takes fewer bytes). Tensors under the layer's path: {@code values} F32 [nnz};
 * {@code row_ptr}, {@code col_idx} (CSR) or {@code mask} U8 (bitmask); {@code bias} F32 [rows].
 * Reading checks every count against the architecture's shape before allocating, and every
 * index and pointer ({@link CsrMatrix}).
 */
final class SparseWeights {
    final CsrMatrix csr;
    final int[] shape;
    final float[] bias;
    final SparseFormat format;

    private SparseWeights(CsrMatrix csr, int[] shape, float[] bias, SparseFormat format) {
        this.csr = csr;
        this.shape = shape;
        this.bias = bias;
        this.format = format;
    }

    /** The nonzeros of {@code dense} (row-major over {@code shape}) in the smaller of the two formats. */
    static SparseWeights of(float[] dense, int[] shape, float[] bias) {
        int rows = shape[0], cols = dense.length / rows;
        CsrMatrix m = CsrMatrix.fromDense(dense, rows, cols);
        return new SparseWeights(m, shape.clone(), bias == null ? null : bias.clone(), smaller(rows, cols, m.nonzeros()));
    }

    /** CSR or bitmask, whichever is smaller (bitmask on a tie). */
    static SparseFormat smaller(int rows, int cols, int nnz) {
        return csrBytes(rows, cols, nnz) < bitmaskBytes(rows, cols, nnz) ? SparseFormat.CSR : SparseFormat.BITMASK;
    }

    static long csrBytes(int rows, int cols, int nnz) {
        return 4L * nnz + (long) indexType(cols - 1).byteSize() * nnz + (long) indexType(nnz).byteSize() * (rows + 1);
    }

    static long bitmaskBytes(int rows, int cols, int nnz) {
        return 4L * nnz + ((long) rows * cols + 7) / 8;
    }

    /** The narrowest index type holding {@code 0..max}: U8, U16 or I32. */
    static DType indexType(int max) {
        return max <= 0xFF ? DType.U8 : max <= 0xFFFF ? DType.U16 : DType.I32;
    }

    /** Bytes of the weight tensors as written (bias excluded). */
    long weightBytes() {
        return format == SparseFormat.CSR ? csrBytes(csr.rows(), csr.cols(), csr.nonzeros()) : bitmaskBytes(csr.rows(), csr.cols(), csr.nonzeros());
    }

    long count() {
        return (long) csr.rows() * csr.cols();
    }

    Map<String, String> scheme() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", format.label());
        m.put("nnz", Integer.toString(csr.nonzeros()));
        return m;
    }

    void write(String prefix, SafetensorsWriter w) {
        int nnz = csr.nonzeros();
        w.add(prefix + "values", Tensor.fromArray(csr.values(), nnz));
        if (format == SparseFormat.CSR) {
            w.add(prefix + "row_ptr", IntTensor.of(csr.rowPointers(), csr.rows() + 1), indexType(nnz));
            w.add(prefix + "col_idx", IntTensor.of(csr.columns(), nnz), indexType(csr.cols() - 1));
        } else {
            byte[] bits = new byte[(int) ((count() + 7) / 8)];
            int[] ptr = csr.rowPointers(), col = csr.columns();
            for (int r = 0; r < csr.rows(); r++) {
                for (int p = ptr[r]; p < ptr[r + 1]; p++) {
                    long i = (long) r * csr.cols() + col[p];
                    bits[(int) (i >>> 3)] |= (byte) (1 << (i & 7));
                }
            }
            w.add(prefix + "mask", DType.U8, new int[] {bits.length}, out -> out.write(bits));
        }
        if (bias != null) w.add(prefix + "bias", Tensor.fromArray(bias, bias.length));
    }

    /** Reads the weights of the architecture's {@code shape} (with a bias when {@code hasBias}). */
    static SparseWeights read(Map<String, String> scheme, LayerCodec.LayerTensors t, int[] shape, boolean hasBias) {
        int rows = shape[0];
        long n = 1;
        for (int d : shape) n *= d;
        int cols = (int) (n / rows);
        String fmt = scheme.get("format");
        SparseFormat format = "csr".equals(fmt) ? SparseFormat.CSR : "bitmask".equals(fmt) ? SparseFormat.BITMASK : null;
        if (format == null) throw t.error("scheme entry 'format' is " + (fmt == null ? "missing" : "\"" + fmt + "\"") + ", expected csr or bitmask");
        int nnz = parseCount(t, scheme.get("nnz"), n);
        SafetensorsFile f = t.file();
        String vn = t.require("values");
        expect(t, f, vn, new DType[] {DType.F32}, new int[] {nnz});
        float[] values = f.tensor(vn).toArray();
        for (int i = 0; i < nnz; i++) {
            if (!Float.isFinite(values[i])) throw t.error("value " + i + " is " + values[i]);
        }
        CsrMatrix m;
        try {
            if (format == SparseFormat.CSR) {
                String rp = t.require("row_ptr"), ci = t.require("col_idx");
                DType[] ints = {DType.U8, DType.U16, DType.I32};
                expect(t, f, rp, ints, new int[] {rows + 1});
                expect(t, f, ci, ints, new int[] {nnz});
                m = new CsrMatrix(rows, cols, f.intTensor(rp).toArray(), f.intTensor(ci).toArray(), values);
            } else {
                String mk = t.require("mask");
                expect(t, f, mk, new DType[] {DType.U8}, new int[] {(int) ((n + 7) / 8)});
                m = fromBitmask(t, f.bytes(mk), rows, cols, values);
            }
        } catch (IllegalArgumentException e) {
            if (e instanceof dev.tersor.nn.io.SafetensorsFormatException) throw e;
            throw t.error("corrupt " + format.label() + " data: " + e.getMessage());
        }
        float[] bias = null;
        if (hasBias || t.has("bias")) {
            String bn = t.require("bias");
            expect(t, f, bn, new DType[] {DType.F32}, new int[] {rows});
            bias = f.tensor(bn).toArray();
        }
        return new SparseWeights(m, shape.clone(), bias, format);
    }

    private static int parseCount(LayerCodec.LayerTensors t, String text, long n) {
        if (text == null) throw t.error("scheme entry 'nnz' is missing");
        long v;
        try {
            v = Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw t.error("nnz = \"" + text + "\" is not an integer");
        }
        if (v < 0 || v > n) throw t.error("nnz = " + v + " is outside [0, " + n + "] (the layer has " + n + " weights)");
        return (int) v;
    }

    private static CsrMatrix fromBitmask(LayerCodec.LayerTensors t, ByteBuffer bits, int rows, int cols, float[] values) {
        long n = (long) rows * cols;
        int[] ptr = new int[rows + 1], col = new int[values.length];
        int p = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                long i = (long) r * cols + c;
                if ((bits.get((int) (i >>> 3)) >> (i & 7) & 1) != 0) {
                    if (p == values.length) throw t.error("corrupt bitmask data: the mask has more set bits than the " + values.length + " values");
                    col[p++] = c;
                }
            }
            ptr[r + 1] = p;
        }
        if (p != values.length) throw t.error("corrupt bitmask data: the mask has " + p + " set bits for " + values.length + " values");
        if (n % 8 != 0 && (bits.get((int) (n >>> 3)) & 0xFF) >>> (n & 7) != 0) {
            throw t.error("corrupt bitmask data: padding bits past weight " + n + " are set");
        }
        return new CsrMatrix(rows, cols, ptr, col, values);
    }

    private static void expect(LayerCodec.LayerTensors t, SafetensorsFile f, String name, DType[] dtypes, int[] shape) {
        if (!Arrays.asList(dtypes).contains(f.dtype(name)) || !Arrays.equals(f.shape(name), shape)) {
            throw t.error("tensor " + name + " is " + f.dtype(name) + " " + Arrays.toString(f.shape(name)) + ", expected "
                    + (dtypes.length == 1 ? dtypes[0].toString() : Arrays.toString(dtypes)) + " " + Arrays.toString(shape));
        }
    }
}
