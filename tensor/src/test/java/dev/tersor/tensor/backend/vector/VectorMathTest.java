package dev.tersor.tensor.backend.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.backend.UnaryOp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/** {@link VectorMath}: accuracy against {@code Math} in ulp, specials, and the same bits in the interpreter as after C2. */
class VectorMathTest {
    private static final VectorBackend VECTOR = new VectorBackend();

    private static final float[] SPECIALS = {0f, -0f, 1f, -1f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 88.72283f, 88.72284f, -87.33654f, -103.97208f, -103.98f};

    /** Every {@code step}-th float bit pattern in [lo, hi] (both signs, all exponents), then the specials. */
    static float[] sweep(float lo, float hi, int step) {
        float[] v = new float[(int) (0x100000000L / step) + SPECIALS.length + 1];
        int n = 0;
        for (long b = 0; b <= 0xFFFFFFFFL; b += step) {
            float f = Float.intBitsToFloat((int) b);
            if (f >= lo && f <= hi) v[n++] = f;
        }
        for (float s : SPECIALS) v[n++] = s;
        return java.util.Arrays.copyOf(v, n);
    }

    private static float[] apply(UnaryOp op, float[] x) {
        float[] y = new float[x.length];
        VECTOR.unary(op, 0f, x, 0, y, 0, x.length);
        return y;
    }

    /** The largest distance in ulp (of the reference) between the kernel and {@code (float) ref(x)}; specials must match exactly. */
    private static double maxUlp(UnaryOp op, DoubleUnaryOperator ref, float lo, float hi) {
        float[] x = sweep(lo, hi, 101);
        float[] y = apply(op, x);
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            float e = (float) ref.applyAsDouble(x[i]);
            if (Float.isNaN(e) || Float.isInfinite(e) || e == 0f) {
                assertEquals(e, y[i], 0f, op + "(" + x[i] + ")");
                if (e == 0f) assertEquals(Float.floatToIntBits(e), Float.floatToIntBits(y[i]), op + "(" + x[i] + ") keeps the sign of zero");
                continue;
            }
            worst = Math.max(worst, Math.abs((double) y[i] - e) / Math.ulp(e));
        }
        return worst;
    }

    @Test
    void expIsWithinTwoUlpOfMathExpIncludingSubnormalsAndOverflow() {
        double ulp = maxUlp(UnaryOp.EXP, Math::exp, -110f, 95f);
        assertTrue(ulp <= 2, "exp: " + ulp + " ulp");
    }

    @Test
    void tanhIsWithinTwoUlpOfMathTanh() {
        double ulp = maxUlp(UnaryOp.TANH, Math::tanh, -20f, 20f);
        assertTrue(ulp <= 2, "tanh: " + ulp + " ulp");
        float[] big = apply(UnaryOp.TANH, new float[] {1e30f, -1e30f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1e-30f});
        assertEquals(1f, big[0]);
        assertEquals(-1f, big[1]);
        assertEquals(1f, big[2]);
        assertEquals(-1f, big[3]);
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(big[5]));
        assertEquals(1e-30f, big[6]);
    }

    /** The checksum of EXP, TANH and SIGMOID over the sweep, as {@link #main} prints it. */
    static long checksum() {
        float[] x = sweep(-110f, 95f, 1_000_003);   // about 2,000 values: the interpreter is slow
        long h = 17;
        for (UnaryOp op : new UnaryOp[] {UnaryOp.EXP, UnaryOp.TANH, UnaryOp.SIGMOID}) {
            for (float y : apply(op, x)) h = h * 31 + Float.floatToRawIntBits(y);
        }
        return h;
    }

    /** Prints {@link #checksum()}: run with {@code -Xint} by the test below. */
    public static void main(String[] args) {
        System.out.println(checksum());
    }

    /**
     * The interpreter runs the Vector API's Java fallback, C2 the intrinsics: the same inputs must
     * give the same bits in both (with SVML's EXP they differed in the last bit).
     */
    @Test
    void theInterpreterAndCompiledCodeGiveTheSameBits() throws IOException, InterruptedException {
        long compiled = 0;
        for (int i = 0; i < 3000; i++) compiled = checksum();   // hot: C2 compiles the kernels
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xint", "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                VectorMathTest.class.getName()).redirectErrorStream(false).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        p.getErrorStream().transferTo(OutputStreamNull.INSTANCE);
        assertEquals(0, p.waitFor());
        assertEquals(Long.toString(compiled), out.toString(StandardCharsets.UTF_8).trim());
    }

    private static final class OutputStreamNull extends java.io.OutputStream {
        static final OutputStreamNull INSTANCE = new OutputStreamNull();

        @Override
        public void write(int b) {
        }
    }
}
