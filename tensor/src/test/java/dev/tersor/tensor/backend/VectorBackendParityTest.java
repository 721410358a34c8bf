package dev.tersor.tensor.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tersor.tensor.backend.vector.VectorBackend;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every elementwise kernel and reduction of {@link VectorBackend} against {@link ScalarBackend},
 * for lengths around the vector length L (1, 7, L−1, L, L+1, 1003) so both the vector body and
 * the scalar tail run, at non-zero offsets, with NaN, ±∞, ±0, a subnormal and ±MAX_VALUE mixed
 * into the data. Cells outside the written range must stay untouched. Each kernel is checked
 * cold (Vector API Java fallback) and again after a warm-up that gets it compiled by C2
 * (intrinsics).
 *
 * <p>Tolerances, per op (see {@link #tolerance}):
 * <ul>
 *   <li>exact (bit-equal, so ±0 and NaN placement count): arithmetic, comparisons, ABS, SIGN,
 *       RELU, LEAKY_RELU, SQRT, RECIPROCAL, SCALE, SHIFT, MAX/MIN — IEEE operations with one
 *       rounding both ways;</li>
 *   <li>EXP, LOG, TANH, POW, SIGMOID: 2e-6 relative (about 16 ulp; the vector math library
 *       promises a few ulp, the reference is double rounded to float) plus 1e-37 absolute,
 *       because results below the smallest normal float (1.2e-38) have no relative precision;</li>
 *   <li>GELU, GELU_GRAD: 2e-6 relative plus 4e-7·max(1, |x|) absolute: the reference forms
 *       Φ = ½(1 + erf) in float, which cancels for x &lt; 0 and is only good to ~1e-7 there;</li>
 *   <li>SUM, SUM_SQUARES, dot: the classic bound for two different summation orders,
 *       {@code 2·n·2⁻²⁴·Σ|terms|}; MAX/MIN exact.</li>
 * </ul>
 */
class VectorBackendParityTest {
    private static final Backend VECTOR = new VectorBackend();
    private static final Backend SCALAR = new ScalarBackend();
    private static final int L = VectorBackend.vectorLength();
    private static final int[] LENGTHS = IntStream.of(1, 7, L - 1, L, L + 1, 1003)
            .filter(n -> n > 0).distinct().toArray();
    private static final float[] SPECIALS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            0f, -0f, 1e-40f, Float.MAX_VALUE, -Float.MAX_VALUE, 1f, -1f};
    private static final int X_OFF = 3, Y_OFF = 5, PAD = 4;
    private static final float SENTINEL = 12345.5f;

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryMatchesScalar(UnaryOp op) {
        checkUnary(op);
        float[] x = data(1003, domainLow(op), 4f, 2, 1), y = new float[x.length];
        warmUp(() -> {
            for (float p : parameters(op)) VECTOR.unary(op, p, x, X_OFF, y, Y_OFF, 1003 - Y_OFF);
        });
        checkUnary(op);
    }

    private static void checkUnary(UnaryOp op) {
        for (float p : parameters(op)) {
            for (int n : LENGTHS) {
                float[] x = data(n, domainLow(op), 4f, 2, n * 31L + op.ordinal());
                float[] expected = filled(n + Y_OFF + PAD), actual = filled(n + Y_OFF + PAD);
                SCALAR.unary(op, p, x, X_OFF, expected, Y_OFF, n);
                VECTOR.unary(op, p, x, X_OFF, actual, Y_OFF, n);
                for (int i = 0; i < actual.length; i++) {
                    float xi = i >= Y_OFF && i < Y_OFF + n ? x[X_OFF + i - Y_OFF] : 0f;
                    check(expected[i], actual[i], tolerance(op.name(), expected[i], xi),
                            () -> op + " p=" + p + " n=" + n + " x=" + xi);
                }
                // In place: x and y alias exactly. Compared with the reference, not bit for bit
                // with the run above: C2 may have swapped the Java fallback for SVML in between.
                float[] inPlace = x.clone();
                VECTOR.unary(op, p, inPlace, X_OFF, inPlace, X_OFF, n);
                for (int i = 0; i < n; i++) {
                    float e = expected[Y_OFF + i], xi = x[X_OFF + i];
                    int at = i;
                    check(e, inPlace[X_OFF + i], tolerance(op.name(), e, xi),
                            () -> op + " in place, p=" + p + " n=" + n + " i=" + at);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryMatchesScalar(BinaryOp op) {
        checkBinary(op);
        float[] a = data(1003, -4f, 4f, 2, 1), b = data(1003, -4f, 4f, 3, 2), z = new float[a.length];
        warmUp(() -> {
            VECTOR.binary(op, a, X_OFF, b, X_OFF, z, Y_OFF, 1003 - Y_OFF);
            VECTOR.binaryScalarRight(op, a, X_OFF, 1.5f, z, Y_OFF, 1003 - Y_OFF);
            VECTOR.binaryScalarLeft(op, 1.5f, b, X_OFF, z, Y_OFF, 1003 - Y_OFF);
        });
        checkBinary(op);
    }

    private static void checkBinary(BinaryOp op) {
        float low = op == BinaryOp.POW ? 0.05f : -4f;
        for (int n : LENGTHS) {
            float[] a = data(n, low, 4f, 2, n * 17L + op.ordinal());
            float[] b = data(n, op == BinaryOp.POW ? -3f : -4f, 3f, 3, n * 19L + op.ordinal());
            for (int i = 0; i < n; i += 3) b[X_OFF + i] = a[X_OFF + i];     // ties for EQ, LE, GE
            if (op == BinaryOp.POW) {
                float[] exponents = {2f, 0.5f, 1f, 0f, 3f, -1f};
                for (int i = 1; i < n; i += 4) b[X_OFF + i] = exponents[(i / 4) % exponents.length];
            }
            float[] expected = filled(n + Y_OFF + PAD), actual = filled(n + Y_OFF + PAD);
            SCALAR.binary(op, a, X_OFF, b, X_OFF, expected, Y_OFF, n);
            VECTOR.binary(op, a, X_OFF, b, X_OFF, actual, Y_OFF, n);
            checkAll(op.name(), expected, actual, () -> op + " n=" + n);
            for (float s : new float[]{1.5f, -0f, Float.NaN, Float.NEGATIVE_INFINITY, 2f, 0.5f}) {
                Arrays.fill(expected, SENTINEL);
                Arrays.fill(actual, SENTINEL);
                SCALAR.binaryScalarRight(op, a, X_OFF, s, expected, Y_OFF, n);
                VECTOR.binaryScalarRight(op, a, X_OFF, s, actual, Y_OFF, n);
                checkAll(op.name(), expected, actual, () -> op + " (x, " + s + ") n=" + n);
                Arrays.fill(expected, SENTINEL);
                Arrays.fill(actual, SENTINEL);
                SCALAR.binaryScalarLeft(op, s, b, X_OFF, expected, Y_OFF, n);
                VECTOR.binaryScalarLeft(op, s, b, X_OFF, actual, Y_OFF, n);
                checkAll(op.name(), expected, actual, () -> op + " (" + s + ", x) n=" + n);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ReduceOp.class)
    void reduceMatchesScalar(ReduceOp op) {
        checkReduce(op);
        float[] x = data(1003, -4f, 4f, 0, 1);
        warmUp(() -> VECTOR.reduce(op, x, X_OFF, 1003 - X_OFF));
        checkReduce(op);
    }

    private static void checkReduce(ReduceOp op) {
        for (int n : LENGTHS) {
            for (int specialEvery : new int[]{0, 2, 3}) {
                float[] x = data(n, -4f, 4f, specialEvery, n * 13L + op.ordinal());
                float expected = SCALAR.reduce(op, x, X_OFF, n);
                float actual = VECTOR.reduce(op, x, X_OFF, n);
                double sumAbs = 0;
                for (int i = 0; i < n; i++) {
                    double v = x[X_OFF + i];
                    sumAbs += op == ReduceOp.SUM_SQUARES ? v * v : Math.abs(v);
                }
                float tol = op == ReduceOp.SUM || op == ReduceOp.SUM_SQUARES ? summationTolerance(n, sumAbs) : 0f;
                check(expected, actual, tol, () -> op + " n=" + n + " specials every " + specialEvery);
            }
        }
        assertEquals(ScalarMath.identity(op), VECTOR.reduce(op, new float[3], 1, 0), op + " of an empty run");
    }

    @Test
    void dotMatchesScalar() {
        checkDot();
        float[] a = data(1003, -4f, 4f, 0, 1);
        warmUp(() -> VECTOR.dot(a, X_OFF, a, X_OFF, 1003 - X_OFF));
        checkDot();
    }

    private static void checkDot() {
        for (int n : LENGTHS) {
            float[] a = data(n, -4f, 4f, 0, n), b = data(n, -4f, 4f, 0, n + 1);
            double sumAbs = 0;
            for (int i = 0; i < n; i++) sumAbs += Math.abs((double) a[X_OFF + i] * b[X_OFF + i]);
            check(SCALAR.dot(a, X_OFF, b, X_OFF, n), VECTOR.dot(a, X_OFF, b, X_OFF, n),
                    summationTolerance(n, sumAbs), () -> "dot n=" + n);
        }
    }

    /**
     * Runs a kernel often enough for C2 to compile it: the interpreter and C1 run the Vector
     * API's Java fallback, C2 the intrinsics (SVML for LOG and POW), and both must agree
     * with the reference. Each kernel is checked before and after.
     */
    private static void warmUp(Runnable kernel) {
        for (int i = 0; i < 3000; i++) kernel.run();
    }

    /** Values of {@code p} that change the kernel's behaviour; others ignore it. */
    private static float[] parameters(UnaryOp op) {
        return switch (op) {
            case LEAKY_RELU -> new float[]{0.01f, -0.5f};
            case POW -> new float[]{2f, 0.5f, 1f, 0f, 3f, -1.5f, 2.7f};
            case SCALE -> new float[]{-2.5f, 0f};
            case SHIFT -> new float[]{1.5f, Float.NEGATIVE_INFINITY};
            case MAX_SCALAR -> new float[]{0.25f, -0f, Float.NaN};
            case MIN_SCALAR -> new float[]{-0.5f, 0f, Float.NaN};
            default -> new float[]{0f};
        };
    }

    /** LOG, SQRT and POW are mostly exercised on their real domain (negatives still come in). */
    private static float domainLow(UnaryOp op) {
        return op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.POW ? -0.5f : -8f;
    }

    /**
     * {@code X_OFF + n + PAD} floats: uniform in [low, high) at {@code [X_OFF, X_OFF+n)} with
     * every {@code specialEvery}-th one (0: none) replaced by the next special value.
     */
    private static float[] data(int n, float low, float high, int specialEvery, long seed) {
        Random r = new Random(seed);
        float[] x = new float[X_OFF + n + PAD];
        Arrays.fill(x, Float.NaN);                               // outside the run: must not be read
        for (int i = 0; i < n; i++) x[X_OFF + i] = low + (high - low) * r.nextFloat();
        if (specialEvery > 0) {
            for (int i = 1, s = 0; i < n; i += specialEvery, s++) x[X_OFF + i] = SPECIALS[s % SPECIALS.length];
        }
        return x;
    }

    private static float[] filled(int size) {
        float[] y = new float[size];
        Arrays.fill(y, SENTINEL);
        return y;
    }

    /** Allowed |vector − scalar| for one output (0 = bit-exact); {@code x} is the input. */
    private static float tolerance(String op, float expected, float x) {
        double e = Float.isFinite(expected) ? Math.abs(expected) : 0.0;
        return (float) switch (op) {
            case "EXP", "LOG", "TANH", "POW", "SIGMOID" -> 2e-6 * e + 1e-37;
            case "GELU", "GELU_GRAD" -> 2e-6 * e + 4e-7 * Math.max(1.0, Math.abs(x));
            default -> 0.0;
        };
    }

    /** Two summation orders of n terms differ by at most 2·n·2⁻²⁴·Σ|terms|. */
    private static float summationTolerance(int n, double sumAbs) {
        return (float) (2.0 * n * Math.ulp(1f) / 2 * sumAbs + 1e-37);
    }

    private static void checkAll(String op, float[] expected, float[] actual, Supplier<String> msg) {
        for (int i = 0; i < actual.length; i++) {
            int at = i;
            check(expected[i], actual[i], tolerance(op, expected[i], 0f), () -> msg.get() + " i=" + at);
        }
    }

    /** Equal bits when {@code tol == 0}; else NaN ↔ NaN, ∞ ↔ the same ∞, finite within tol. */
    private static void check(float expected, float actual, float tol, Supplier<String> msg) {
        boolean ok;
        if (tol == 0f) ok = Float.floatToIntBits(expected) == Float.floatToIntBits(actual);
        else if (Float.isNaN(expected) || Float.isInfinite(expected)) ok = Float.compare(expected, actual) == 0;
        else ok = Math.abs((double) actual - expected) <= tol;
        if (!ok) fail(msg.get() + ": expected " + expected + ", got " + actual + " (tolerance " + tol + ")");
    }
}
