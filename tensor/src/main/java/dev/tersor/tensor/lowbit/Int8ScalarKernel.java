package dev.tersor.tensor.lowbit;

/**
 * The {@link Int8Kernel} loops in plain Java: runs on any JVM (no {@code jdk.incubator.vector}).
 * C2 vectorises the inner channel loop of {@link #tile} ({@code acc[j] += x·w[j]} over a panel
 * of 16 or 32 channels, int lanes).
 */
final class Int8ScalarKernel implements Int8Kernel {
    private static final int ROWS = 8;

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public int panelWidth(int m) {
        return m <= 16 ? 16 : 32;
    }

    @Override
    public int tileRows(int width) {
        return ROWS;
    }

    @Override
    public void quantize(float[] x, int xOff, int n, Int8Input in, int[] d, int dOff) {
        int zp = in.zeroPoint();
        for (int i = 0; i < n; i++) d[dOff + i] = in.quantize(x[xOff + i]) - zp;
    }

    @Override
    public void gather(int[] d, int[] koff, int kShift, int kr, int[] base, int q0, int np, int rows, int[] b) {
        for (int k = 0; k < kr; k++) {
            int src = koff[k] + kShift, dst = k * rows;
            for (int r = 0; r < np; r++) b[dst + r] = d[src + base[q0 + r]];
        }
    }

    @Override
    public void tile(byte[] w, int wOff, int width, int kr, int[] b, int rows, int np, int[] acc) {
        java.util.Arrays.fill(acc, 0, np * width, 0);
        for (int k = 0; k < kr; k++) {
            int wk = wOff + k * width;
            for (int r = 0; r < np; r++) {
                int x = b[k * rows + r], a = r * width;
                if (x == 0) continue;
                for (int j = 0; j < width; j++) acc[a + j] += x * w[wk + j];
            }
        }
    }

    @Override
    public void store(int[] acc, int width, int np, int valid, float[] mult, float[] bias, int c0, boolean relu,
                      int[] obase, int q0, int[] chOff, float[] y) {
        for (int r = 0; r < np; r++) {
            int o = obase[q0 + r];
            for (int j = 0; j < valid; j++) {
                y[o + chOff[c0 + j]] = Int8Reference.output(acc[r * width + j], mult[c0 + j], bias[c0 + j], relu);
            }
        }
    }
}
