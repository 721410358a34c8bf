package dev.tersor.tensor;

/**
 * How {@link ConvKernels} runs one convolution map of one shape (made by {@link ConvPlanner}):
 *
 * <ul>
 *   <li>{@link Algorithm#SHIFTED_WINDOWS}: stride-1 lowering without im2col; the GEMM reads
 *       shifted rows of a spread image ({@link ShiftedWindows}).</li>
 *   <li>{@link Algorithm#IM2COL_GEMM}: im2col (col2im for the raise map) and one GEMM per
 *       group; a 1×1 stride-1 kernel uses the image itself as the column matrix.</li>
 *   <li>{@link Algorithm#DIRECT}: loops over kernel taps, no GEMM: the depthwise path (one
 *       input channel per group), valid for every convolution.</li>
 * </ul>
 * {@code samplesPerChunk} images are lowered side by side into one column matrix (so each GEMM
 * is wide); with {@code splitBatch} and at least as many chunks as threads the batch is split
 * over the threads (each with its own buffers), otherwise chunks run one after another and the
 * threads work inside them (inside the GEMMs, or over groups for DIRECT).
 */
record ConvPlan(Algorithm algorithm, int samplesPerChunk, boolean splitBatch) {
    enum Algorithm { SHIFTED_WINDOWS, IM2COL_GEMM, DIRECT }

    ConvPlan {
        if (algorithm == null || samplesPerChunk < 1) {
            throw new IllegalArgumentException("bad convolution plan: " + algorithm + " with " + samplesPerChunk + " samples per chunk");
        }
    }

    /** {@code "SHIFTED_WINDOWS per=4 split=batch"} ({@code split=inside} without splitBatch). */
    String text() {
        return algorithm + " per=" + samplesPerChunk + " split=" + (splitBatch ? "batch" : "inside");
    }

    /** The plan {@link #text()} wrote, or null when {@code s} is not one. */
    static ConvPlan parse(String s) {
        String[] f = s.trim().split(" ");
        try {
            if (f.length != 3 || !f[1].startsWith("per=") || !(f[2].equals("split=batch") || f[2].equals("split=inside"))) return null;
            return new ConvPlan(Algorithm.valueOf(f[0]), Integer.parseInt(f[1].substring(4)), f[2].equals("split=batch"));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
