package dev.tersor.tensor;

import dev.tersor.tensor.backend.Backend;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.Parallel;

/** Matrix products on the backend's GEMM: {@code matmul} with torch semantics, and {@code linear}. */
final class LinearAlgebra {
    /** Below this many multiply-adds per matrix, batches are spread over threads instead of one GEMM. */
    private static final long SMALL_GEMM = 64L * 64 * 64;

    private LinearAlgebra() {
    }

    /**
     * A 2-D strided view as a GEMM operand: {@code trans} is false when rows are contiguous
     * (element [i, j] at {@code off + i·ld + j}), true when columns are (at {@code off + j·ld + i}).
     */
    record Operand(float[] data, int off, int ld, boolean trans) {
        /** The operand for a [rows, cols] view with the given strides, or null if it needs a copy. */
        static Operand of(float[] data, int off, int rows, int cols, int rowStride, int colStride) {
            if (colStride == 1 || cols == 1) {
                if (rows == 1 || rowStride >= cols) return new Operand(data, off, Math.max(rows == 1 ? cols : rowStride, 1), false);
            }
            if (rowStride == 1 || rows == 1) {
                if (cols == 1 || colStride >= rows) return new Operand(data, off, Math.max(cols == 1 ? rows : colStride, 1), true);
            }
            return null;
        }
    }

    static Tensor matmul(Tensor a, Tensor b) {
        if (a.dim() == 0 || b.dim() == 0) {
            throw new IllegalArgumentException("matmul: both operands need at least one dimension, got shapes "
                    + Shape.str(a.shape) + " and " + Shape.str(b.shape));
        }
        if (a.dim() == 1 && b.dim() == 1) {
            if (a.shape[0] != b.shape[0]) {
                throw new IllegalArgumentException("matmul: vectors of shapes " + Shape.str(a.shape) + " and "
                        + Shape.str(b.shape) + " differ in length");
            }
            return matmul(a.unsqueeze(0), b.unsqueeze(1)).reshape();
        }
        if (a.dim() == 1) return matmul(a.unsqueeze(0), b).squeeze(-2);
        if (b.dim() == 1) return matmul(a, b.unsqueeze(1)).squeeze(-1);
        int m = a.shape[a.dim() - 2], k = a.shape[a.dim() - 1];
        int k2 = b.shape[b.dim() - 2], n = b.shape[b.dim() - 1];
        if (k != k2) {
            throw new IllegalArgumentException("matmul: shapes " + Shape.str(a.shape) + " and " + Shape.str(b.shape)
                    + " do not fit: " + k + " columns against " + k2 + " rows");
        }
        int[] batch = Shape.broadcast("matmul", java.util.Arrays.copyOf(a.shape, a.dim() - 2),
                java.util.Arrays.copyOf(b.shape, b.dim() - 2));
        int[] outShape = java.util.Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        Tensor out = Tensor.zeros(outShape);
        batchedGemm(a, b, batch, m, n, k, out);
        return Autograd.record("matmul", out, new Tensor[] {a, b}, new Tensor[] {a, b}, g -> new Tensor[] {
            a.requiresGrad() ? g.matmul(b.transpose(-1, -2)).sumTo(a.shape) : null,
            b.requiresGrad() ? a.transpose(-1, -2).matmul(g).sumTo(b.shape) : null});
    }

    private static void batchedGemm(Tensor a, Tensor b, int[] batch, int m, int n, int k, Tensor out) {
        Tensor ae = operandLayout(a, batch, m, k);
        Tensor be = operandLayout(b, batch, k, n);
        int nb = Shape.numel(batch);
        int r = batch.length;
        float[] c = out.storage.data;
        Parallel.RangeBody body = (from, to) -> {
            for (int i = from; i < to; i++) {
                int ao = ae.offset, bo = be.offset, rem = i;
                for (int d = r - 1; d >= 0; d--) {
                    int idx = rem % batch[d];
                    rem /= batch[d];
                    ao += idx * ae.strides[d];
                    bo += idx * be.strides[d];
                }
                Operand oa = Operand.of(ae.storage.data, ao, m, k, ae.strides[r], ae.strides[r + 1]);
                Operand ob = Operand.of(be.storage.data, bo, k, n, be.strides[r], be.strides[r + 1]);
                gemm(oa, ob, m, n, k, 0f, c, i * m * n, n);
            }
        };
        if (nb > 1 && (long) m * n * k < SMALL_GEMM) Parallel.forEachTask(nb, body);
        else body.run(0, nb);
    }

    /** {@code t} expanded to {@code batch + [rows, cols]}, copied if its matrices are not GEMM operands. */
    private static Tensor operandLayout(Tensor t, int[] batch, int rows, int cols) {
        int[] full = java.util.Arrays.copyOf(batch, batch.length + 2);
        full[batch.length] = rows;
        full[batch.length + 1] = cols;
        Tensor e = t.expandInternal(full);
        int r = batch.length;
        if (Operand.of(e.storage.data, e.offset, rows, cols, e.strides[r], e.strides[r + 1]) != null) return e;
        return t.contiguous().expandInternal(full);
    }

    /** {@code C[cOff..] = op(A)·op(B) + beta·C}, [m,k]·[k,n], C with row stride ldc. */
    static void gemm(Operand a, Operand b, int m, int n, int k, float beta, float[] c, int cOff, int ldc) {
        Backend be = Backends.current();
        be.gemm(a.trans(), b.trans(), m, n, k, a.data(), a.off(), a.ld(), b.data(), b.off(), b.ld(), beta, c, cOff, ldc);
    }

    /** A 2-D tensor as an operand, copying it only if neither its rows nor its columns are contiguous. */
    static Operand operand(Tensor t) {
        Operand o = Operand.of(t.storage.data, t.offset, t.shape[0], t.shape[1], t.strides[0], t.strides[1]);
        if (o != null) return o;
        Tensor c = t.contiguous();
        return Operand.of(c.storage.data, c.offset, c.shape[0], c.shape[1], c.strides[0], c.strides[1]);
    }

    /**
     * {@code y = x·Wᵀ + b} for x [..., in], W [out, in], b [out] or null; Wᵀ is never materialised.
     */
    static Tensor linear(Tensor x, Tensor w, Tensor bias) {
        if (w.dim() != 2 || x.dim() < 1 || x.shape[x.dim() - 1] != w.shape[1]) {
            throw new IllegalArgumentException("linear: input " + Shape.str(x.shape) + " does not fit weight "
                    + Shape.str(w.shape) + " (expected [..., " + (w.dim() == 2 ? w.shape[1] : "in") + "] and [out, in])");
        }
        int in = w.shape[1], outF = w.shape[0];
        if (bias != null && (bias.dim() != 1 || bias.shape[0] != outF)) {
            throw new IllegalArgumentException("linear: bias " + Shape.str(bias.shape) + " does not fit weight "
                    + Shape.str(w.shape) + " (expected [" + outF + "])");
        }
        Tensor x2 = x.reshape(-1, in);
        int rows = x2.shape[0];
        int[] outShape = x.shape.clone();
        outShape[outShape.length - 1] = outF;
        float[] y = new float[rows * outF];
        if (bias != null) {
            Tensor bc = bias.contiguous();
            for (int r = 0; r < rows; r++) System.arraycopy(bc.storage.data, bc.offset, y, r * outF, outF);
        }
        gemm(operand(x2), operand(w.transposeInternal(0, 1)), rows, outF, in, bias == null ? 0f : 1f, y, 0, outF);
        Tensor out = Tensor.wrap(y, outShape);
        Tensor[] inputs = bias == null ? new Tensor[] {x, w} : new Tensor[] {x, w, bias};
        return Autograd.record("linear", out, inputs, new Tensor[] {x, w}, g -> {
            Tensor g2 = g.reshape(-1, outF);
            Tensor gx = x.requiresGrad() ? g2.matmul(w).reshape(x.shape) : null;
            Tensor gw = w.requiresGrad() ? g2.transpose(0, 1).matmul(x2) : null;
            if (bias == null) return new Tensor[] {gx, gw};
            return new Tensor[] {gx, gw, bias.requiresGrad() ? g2.sum(0) : null};
        });
    }
}
