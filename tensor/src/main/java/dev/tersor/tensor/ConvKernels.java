package dev.tersor.tensor;

import dev.tersor.tensor.LinearAlgebra.Operand;
import dev.tersor.tensor.backend.Backend;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.Parallel;
import dev.tersor.tensor.backend.ReduceOp;
import java.util.Arrays;

/**
 * The batched kernels behind conv2d and conv_transpose2d. Both ops relate a <em>big</em> batch
 * {@code [N, C, H, W]} (the convolution's input, the transposed convolution's output) and a
 * <em>small</em> batch {@code [N, K, outH, outW]} through one weight {@code [K, C/groups, kh, kw]}:
 *
 * <pre>
 * lower:  small_n[g]  = W[g] · im2col(big_n)[g]            conv forward, conv_transpose input gradient
 *         dW[g]      += other_n[g] · im2col(big_n)[g]ᵀ      both weight gradients (same columns)
 * raise:  big_n      += col2im(W[g]ᵀ · small_n[g])          conv input gradient, conv_transpose forward
 * </pre>
 *
 * How each map runs for a given shape (algorithm and chunking) is a {@link ConvPlan} chosen by
 * {@link ConvPlanner}; this class executes plans. With IM2COL_GEMM, per chunk of samples: one
 * im2col, then one GEMM per group with every transpose absorbed by the GEMM (a 1×1 stride-1
 * kernel uses the image itself as the column matrix). With SHIFTED_WINDOWS a stride-1
 * {@code lower} skips im2col: the images are spread with zero gaps and the GEMM reads its
 * column rows as shifted rows of that buffer ({@link ShiftedWindows}, {@code Backend.gemmRows});
 * the stride-1 input gradient is such a {@code lower} too (the flipped convolution). When the
 * plan splits the batch and there are at least as many chunks as threads, the batch is split
 * over threads, each with its own buffers and weight-gradient partial sum (added up in a fixed
 * order at the end); otherwise chunks run one after another and the threads work inside im2col
 * and the GEMM. DIRECT (the depthwise path: one big channel in each of several groups) skips the
 * GEMM for loops over kernel taps, split over groups.
 */
final class ConvKernels {
    private static final int LOWER = 0, RAISE = 1, WEIGHT = 2;

    final Im2col im;          // big image [C, H, W] → positions outH×outW
    final int batch, groups;
    final int cg, kg;         // big and small channels per group
    final int taps;           // kh·kw
    final int positions;      // outH·outW
    final boolean depthwise;        // one big channel in each of several groups
    final ShiftedWindows shifted;   // stride-1 kernels: GEMMs can read shifted rows of a spread image (null: they cannot)

    ConvKernels(Im2col im, int batch, int smallChannels, int groups) {
        this.im = im;
        this.batch = batch;
        this.groups = groups;
        this.cg = im.channels / groups;
        this.kg = smallChannels / groups;
        this.taps = im.kh * im.kw;
        this.positions = im.positions();
        this.depthwise = cg == 1 && groups > 1;   // one input channel and one group is a plain GEMM (LeNet's first conv)
        this.shifted = ShiftedWindows.of(im);
    }

    /** Elements of one small image: {@code K·outH·outW}. */
    int smallSize() {
        return groups * kg * positions;
    }

    /** Elements of the weight: {@code K·(C/groups)·kh·kw}. */
    int weightSize() {
        return groups * kg * cg * taps;
    }

    /** One chunk of {@code count} samples from {@code n0}, with the task's buffers and weight-gradient accumulator. */
    @FunctionalInterface
    private interface Chunk {
        void run(int n0, int count, float[] cols, float[] tmp, float[] dW);
    }

    /**
     * With {@code cols = im2col(big_n)}: {@code out_n = W·cols + bias} when {@code out != null}
     * (bias [K] or null), and {@code dW += other_n·colsᵀ} when {@code dW != null}. {@code out}
     * and {@code dW} are fresh zeroed arrays.
     *
     * <p>A chunk of {@code c} samples is lowered side by side into one column matrix
     * {@code [C·kh·kw, c·positions]}, so one GEMM per group covers the chunk; its output
     * {@code [K, c, positions]} is then copied to the batch layout {@code [c, K, positions]}
     * (and {@code other} gathered the other way for the weight gradient).
     */
    void lower(float[] big, int bigOff, float[] w, int wOff, float[] out, Tensor bias,
               float[] other, int otherOff, float[] dW) {
        float[] b = bias == null ? null : OpArgs.dense(bias).toArray();
        ConvPlanner.Role role = out == null ? ConvPlanner.Role.WEIGHT : dW == null ? ConvPlanner.Role.FORWARD : ConvPlanner.Role.BOTH;
        ConvPlan plan = ConvPlanner.plan(this, role, p -> lower(p, big, bigOff, w, wOff,
                out == null ? null : new float[out.length], b, other, otherOff, dW == null ? null : new float[dW.length]));
        lower(plan, big, bigOff, w, wOff, out, b, other, otherOff, dW);
    }

    /** {@link #lower} with {@code plan} (valid for this shape: {@link ConvPlanner#valid}); bias as an array or null. */
    void lower(ConvPlan plan, float[] big, int bigOff, float[] w, int wOff, float[] out, float[] b,
               float[] other, int otherOff, float[] dW) {
        switch (plan.algorithm()) {
            case DIRECT -> lowerDirect(plan, big, bigOff, w, wOff, out, b, other, otherOff, dW);
            case SHIFTED_WINDOWS -> lowerShifted(plan, big, bigOff, w, wOff, out, b, other, otherOff, dW);
            case IM2COL_GEMM -> lowerIm2col(plan, big, bigOff, w, wOff, out, b, other, otherOff, dW);
        }
    }

    private void lowerDirect(ConvPlan plan, float[] big, int bigOff, float[] w, int wOff, float[] out, float[] b,
                             float[] other, int otherOff, float[] dW) {
        int bigSize = im.imageSize(), smallSize = smallSize();
        overBatch(1, plan.splitBatch(), 0, 0, dW, (n, count, cols, tmp, dWPart) -> overGroups((g0, g1) -> {
            int bo = bigOff + n * bigSize;
            if (out != null) {
                if (b != null) fillBias(out, n * smallSize, b, g0 * kg, g1 * kg, positions);
                directTaps(LOWER, big, bo, w, wOff, out, n * smallSize, null, g0, g1);
            }
            if (dWPart != null) directTaps(WEIGHT, big, bo, null, 0, other, otherOff + n * smallSize, dWPart, g0, g1);
        }));
    }

    private void lowerIm2col(ConvPlan plan, float[] big, int bigOff, float[] w, int wOff, float[] out, float[] b,
                             float[] other, int otherOff, float[] dW) {
        int bigSize = im.imageSize(), smallSize = smallSize();
        int depth = cg * taps, per = plan.samplesPerChunk();
        int colsSize = im.isIdentity() ? 0 : buffer((long) im.rows() * per * positions);
        overBatch(per, plan.splitBatch(), colsSize, per > 1 ? buffer((long) smallSize() * per) : 0, dW, (n0, count, cols, tmp, dWPart) -> {
            int width = count * positions;
            float[] c = cols;
            int cOff = 0;
            if (cols == null) {
                c = big;
                cOff = bigOff + n0 * bigSize;
            } else {
                for (int i = 0; i < count; i++) im.lower(big, bigOff + (n0 + i) * bigSize, cols, i * positions, width);
            }
            if (out != null) {
                boolean inPlace = count == 1;    // the GEMM writes straight into out
                float[] y = inPlace ? out : tmp;
                int yOff = inPlace ? n0 * smallSize : 0;
                if (inPlace && b != null) fillBias(out, yOff, b, 0, groups * kg, positions);
                for (int g = 0; g < groups; g++) {
                    LinearAlgebra.gemm(new Operand(w, wOff + g * kg * depth, depth, false),
                            new Operand(c, cOff + g * depth * width, width, false), kg, width, depth,
                            inPlace && b != null ? 1f : 0f, y, yOff + g * kg * width, width);
                }
                if (!inPlace) toBatchLayout(tmp, count, out, n0 * smallSize, b);
            }
            if (dWPart != null) {
                float[] o = other;
                int oOff = otherOff + n0 * smallSize;
                if (count > 1) {
                    fromBatchLayout(other, oOff, count, tmp);
                    o = tmp;
                    oOff = 0;
                }
                for (int g = 0; g < groups; g++) {
                    LinearAlgebra.gemm(new Operand(o, oOff + g * kg * width, width, false),
                            new Operand(c, cOff + g * depth * width, width, true), kg, depth, width,
                            1f, dWPart, g * kg * depth, depth);
                }
            }
        });
    }

    /**
     * {@link #lower} through {@link ShiftedWindows}: per chunk, the images are spread into
     * {@code buf} (planes Q apart) and each GEMM reads the column rows at shifted offsets of it;
     * the output lands on the chunk's output grid [K, ld] and its kept columns are gathered, and
     * the weight gradient takes {@code other} spread onto the same grid (zeros in the dropped
     * columns) times the same shifted rows.
     */
    private void lowerShifted(ConvPlan plan, float[] big, int bigOff, float[] w, int wOff, float[] out, float[] bias,
                              float[] other, int otherOff, float[] dW) {
        int per = plan.samplesPerChunk();
        int q = shifted.planeStride(per), ld = shifted.columns(per);
        int bigSize = im.imageSize(), smallSize = smallSize(), depth = cg * taps, channels = groups * kg;
        int[] rows = shifted.rowOffsets(cg, q);
        Backend be = Backends.current();
        overBatch(per, plan.splitBatch(), buffer((long) im.channels * q), buffer((long) channels * ld), dW, (n0, count, buf, grid, dWPart) -> {
            int width = shifted.columns(count);
            shifted.spreadInput(big, bigOff + n0 * bigSize, count, buf, q);
            if (out != null) {
                for (int g = 0; g < groups; g++) {
                    be.gemmRows(false, false, kg, width, depth, w, wOff + g * kg * depth, depth,
                            buf, g * cg * q, rows, 0f, grid, g * kg * ld, ld);
                }
                shifted.gatherOutput(grid, ld, channels, count, out, n0 * smallSize, bias);
                if (dWPart != null) Arrays.fill(grid, 0f);   // the dropped columns must be zeros again
            }
            if (dWPart != null) {
                shifted.spreadOutput(other, otherOff + n0 * smallSize, channels, count, grid, ld);
                for (int g = 0; g < groups; g++) {
                    be.gemmRows(false, true, kg, depth, width, grid, g * kg * ld, ld, buf, g * cg * q, rows,
                            1f, dWPart, g * kg * depth, depth);
                }
            }
        });
    }

    /** {@code out[off + i·K·P + a·P + p] = t[a·count·P + i·P + p] + bias[a]}: [K, count, P] → [count, K, P]. */
    private void toBatchLayout(float[] t, int count, float[] out, int off, float[] bias) {
        int channels = groups * kg, width = count * positions;
        for (int i = 0; i < count; i++) {
            for (int a = 0; a < channels; a++) {
                int src = a * width + i * positions, dst = off + (i * channels + a) * positions;
                if (bias == null) {
                    System.arraycopy(t, src, out, dst, positions);
                } else {
                    float v = bias[a];
                    for (int p = 0; p < positions; p++) out[dst + p] = t[src + p] + v;
                }
            }
        }
    }

    /** {@code t[a·count·P + i·P + p] = x[off + i·K·P + a·P + p]}: [count, K, P] → [K, count, P]. */
    private void fromBatchLayout(float[] x, int off, int count, float[] t) {
        int channels = groups * kg, width = count * positions;
        for (int i = 0; i < count; i++) {
            for (int a = 0; a < channels; a++) {
                System.arraycopy(x, off + (i * channels + a) * positions, t, a * width + i * positions, positions);
            }
        }
    }

    /** {@code big_n = col2im(Wᵀ·small_n) + bias} for every sample; {@code big} is a fresh zeroed array, bias [C] or null. */
    void raise(float[] small, int smallOff, float[] w, int wOff, float[] big, Tensor bias) {
        float[] b = bias == null ? null : OpArgs.dense(bias).toArray();
        ConvPlan plan = ConvPlanner.plan(this, ConvPlanner.Role.RAISE,
                p -> raise(p, small, smallOff, w, wOff, new float[big.length], b));
        raise(plan, small, smallOff, w, wOff, big, b);
    }

    /** {@link #raise} with {@code plan} (DIRECT or IM2COL_GEMM, one sample per chunk); bias as an array or null. */
    void raise(ConvPlan plan, float[] small, int smallOff, float[] w, int wOff, float[] big, float[] b) {
        int bigSize = im.imageSize(), smallSize = smallSize(), plane = im.height * im.width;
        if (plan.algorithm() == ConvPlan.Algorithm.DIRECT) {
            overBatch(1, plan.splitBatch(), 0, 0, null, (n, count, cols, tmp, dWPart) -> overGroups((g0, g1) -> {
                if (b != null) fillBias(big, n * bigSize, b, g0 * cg, g1 * cg, plane);
                directTaps(RAISE, big, n * bigSize, w, wOff, small, smallOff + n * smallSize, null, g0, g1);
            }));
            return;
        }
        int depth = cg * taps;
        overBatch(1, plan.splitBatch(), im.isIdentity() ? 0 : buffer((long) im.rows() * positions), 0, null, (n, count, cols, tmp, dWPart) -> {
            if (b != null) fillBias(big, n * bigSize, b, 0, im.channels, plane);
            for (int g = 0; g < groups; g++) {
                Operand wT = new Operand(w, wOff + g * kg * depth, depth, true);
                Operand smallG = new Operand(small, smallOff + n * smallSize + g * kg * positions, positions, false);
                if (cols == null) {
                    LinearAlgebra.gemm(wT, smallG, depth, positions, kg, 1f, big, n * bigSize + g * depth * positions, positions);
                } else {
                    LinearAlgebra.gemm(wT, smallG, depth, positions, kg, 0f, cols, g * depth * positions, positions);
                }
            }
            if (cols != null) im.raise(cols, 0, big, n * bigSize);
        });
    }

    /** A work buffer's length, or a clear error when one image's buffer would exceed a Java array. */
    private int buffer(long floats) {
        if (floats > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("convolution: one image of " + im.channels + "×" + im.height + "×"
                    + im.width + " with a " + im.kh + "×" + im.kw + " kernel needs a work buffer of " + floats
                    + " floats, more than a Java array holds");
        }
        return (int) floats;
    }

    /**
     * Runs {@code body} over the batch in chunks of at most {@code per} samples. With
     * {@code split} and at least as many chunks as threads, each thread takes an equal share of the samples (within one) and
     * walks it in chunks, so no thread waits on another's extra chunk (11 chunks on 2 threads
     * would be 6 against 5); otherwise chunks run one after another and the threads work inside
     * them. Each task gets its own zeroed buffers of {@code colsSize} and {@code tmpSize} floats
     * (null when 0) and, when {@code dW} is given, its own partial sum, added into {@code dW} in
     * task order at the end.
     */
    private void overBatch(int per, boolean split, int colsSize, int tmpSize, float[] dW, Chunk body) {
        int chunks = (batch + per - 1) / per;
        int threads = Parallel.effectiveThreads();
        if (!split || threads == 1 || chunks < threads) {
            float[] cols = colsSize == 0 ? null : new float[colsSize];
            float[] tmp = tmpSize == 0 ? null : new float[tmpSize];
            for (int q = 0; q < chunks; q++) body.run(q * per, Math.min(per, batch - q * per), cols, tmp, dW);
            return;
        }
        float[][] partials = new float[threads][];
        Parallel.forEachTask(threads, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                float[] cols = colsSize == 0 ? null : new float[colsSize];
                float[] tmp = tmpSize == 0 ? null : new float[tmpSize];
                float[] part = dW == null || t == 0 ? dW : new float[dW.length];
                int from = (int) ((long) batch * t / threads), to = (int) ((long) batch * (t + 1) / threads);
                for (int n0 = from; n0 < to; n0 += per) body.run(n0, Math.min(per, to - n0), cols, tmp, part);
                if (part != dW) partials[t] = part;
            }
        });
        if (dW == null) return;
        for (float[] p : partials) if (p != null) Im2col.addTo(p, 0, dW, 0, dW.length);
    }

    /** Splits the groups of one sample over threads (inline inside a pool task). */
    private void overGroups(Parallel.RangeBody body) {
        int grain = Math.max(1, Elementwise.GRAIN / Math.max(1, kg * taps * positions));
        Parallel.forRange(groups, grain, body);
    }

    /**
     * Direct loops for groups {@code [g0, g1)} of one sample, one kernel tap at a time over the
     * valid output range: LOWER {@code small += w·big}, RAISE {@code big += w·small}, WEIGHT
     * {@code dW += Σ small·big}.
     */
    private void directTaps(int mode, float[] big, int bigOff, float[] w, int wOff, float[] small, int smallOff,
                            float[] dW, int g0, int g1) {
        int width = im.width, plane = im.height * width, outW = im.outW, sw = im.sw;
        Backend be = Backends.current();
        for (int g = g0; g < g1; g++) {
            for (int k = g * kg; k < (g + 1) * kg; k++) {
                for (int c = g * cg; c < (g + 1) * cg; c++) {
                    int wBase = (k * cg + c - g * cg) * taps;
                    for (int i = 0; i < im.kh; i++) {
                        for (int j = 0; j < im.kw; j++) {
                            int wi = wBase + i * im.kw + j;
                            float wv = mode == WEIGHT ? 0f : w[wOff + wi];
                            int xlo = im.colLo[j], n = im.colHi[j] - xlo;
                            int b0 = bigOff + c * plane + (i * im.dh - im.ph) * width + (j * im.dw - im.pw) + xlo * sw;
                            int s0 = smallOff + k * positions + xlo;
                            float acc = 0f;
                            for (int oy = im.rowLo[i]; oy < im.rowHi[i]; oy++) {
                                int b = b0 + oy * im.sh * width, s = s0 + oy * outW;
                                if (mode == LOWER) {
                                    for (int t = 0; t < n; t++) small[s + t] += wv * big[b + t * sw];
                                } else if (mode == RAISE) {
                                    for (int t = 0; t < n; t++) big[b + t * sw] += wv * small[s + t];
                                } else if (sw == 1) {
                                    acc += be.dot(small, s, big, b, n);   // (a scalar float sum does not vectorise)
                                } else {
                                    for (int t = 0; t < n; t++) acc += small[s + t] * big[b + t * sw];
                                }
                            }
                            if (mode == WEIGHT) dW[wi] += acc;
                        }
                    }
                }
            }
        }
    }

    /** {@code out[off + k·plane + p] = bias[k]} for channels {@code k in [k0, k1)}. */
    private static void fillBias(float[] out, int off, float[] bias, int k0, int k1, int plane) {
        for (int k = k0; k < k1; k++) Arrays.fill(out, off + k * plane, off + (k + 1) * plane, bias[k]);
    }

    /** {@code Σ_n Σ_p g[n, k, p]} for each channel k: the bias gradient. */
    static Tensor sumPlanes(float[] g, int gOff, int batch, int channels, int plane) {
        Backend be = Backends.current();
        float[] out = new float[channels];
        for (int n = 0; n < batch; n++) {
            for (int k = 0; k < channels; k++) out[k] += be.reduce(ReduceOp.SUM, g, gOff + (n * channels + k) * plane, plane);
        }
        return Tensor.wrap(out, new int[] {channels});
    }
}
