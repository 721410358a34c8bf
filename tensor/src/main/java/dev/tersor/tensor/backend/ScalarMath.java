package dev.tersor.tensor.backend;

/**
 * One-element definitions of every kernel: the reference that {@link ScalarBackend} loops over
 * and that vector backends use for their tails.
 */
public final class ScalarMath {
    private static final float INV_SQRT2 = (float) (1.0 / Math.sqrt(2.0));
    private static final float INV_SQRT_2PI = (float) (1.0 / Math.sqrt(2.0 * Math.PI));

    private ScalarMath() {
    }

    /** {@code op(x; p)}. */
    public static float unary(UnaryOp op, float p, float x) {
        return switch (op) {
            case NEG -> -x;
            case EXP -> (float) Math.exp(x);
            case LOG -> (float) Math.log(x);
            case SQRT -> (float) Math.sqrt(x);
            case ABS -> Math.abs(x);
            case SIGN -> Math.signum(x);
            case RELU -> x > 0f ? x : (x == x ? 0f : x);
            case LEAKY_RELU -> x > 0f ? x : x * p;
            case SIGMOID -> sigmoid(x);
            case TANH -> (float) Math.tanh(x);
            case GELU -> x * normalCdf(x);
            case GELU_GRAD -> normalCdf(x) + x * INV_SQRT_2PI * (float) Math.exp(-0.5 * x * x);
            case RECIPROCAL -> 1f / x;
            case POW -> pow(x, p);
            case SCALE -> x * p;
            case SHIFT -> x + p;
            case MAX_SCALAR -> max(x, p);
            case MIN_SCALAR -> min(x, p);
        };
    }

    /** {@code op(a, b)}. */
    public static float binary(BinaryOp op, float a, float b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> pow(a, b);
            case MAX -> max(a, b);
            case MIN -> min(a, b);
            case EQ -> a == b ? 1f : 0f;
            case NE -> a != b ? 1f : 0f;
            case LT -> a < b ? 1f : 0f;
            case LE -> a <= b ? 1f : 0f;
            case GT -> a > b ? 1f : 0f;
            case GE -> a >= b ? 1f : 0f;
            case RELU_GRAD -> b > 0f ? a : 0f;
        };
    }

    /** The identity element a reduction starts from. */
    public static float identity(ReduceOp op) {
        return switch (op) {
            case SUM, SUM_SQUARES -> 0f;
            case MAX -> Float.NEGATIVE_INFINITY;
            case MIN -> Float.POSITIVE_INFINITY;
        };
    }

    /** Folds {@code x} into the running reduction {@code acc}. */
    public static float accumulate(ReduceOp op, float acc, float x) {
        return switch (op) {
            case SUM -> acc + x;
            case SUM_SQUARES -> acc + x * x;
            case MAX -> max(acc, x);
            case MIN -> min(acc, x);
        };
    }

    /** {@code 1 / (1 + e^-x)}, computed without overflow for large |x|. */
    public static float sigmoid(float x) {
        if (x >= 0f) return (float) (1.0 / (1.0 + Math.exp(-x)));
        double e = Math.exp(x);
        return (float) (e / (1.0 + e));
    }

    /** Φ(x) = ½(1 + erf(x/√2)). */
    public static float normalCdf(float x) {
        return 0.5f * (1f + erf(x * INV_SQRT2));
    }

    /**
     * The error function to float precision (absolute error below 1.2e-7): the Numerical
     * Recipes {@code erfc} Chebyshev fit, evaluated in double.
     */
    public static float erf(float xf) {
        double x = xf;
        double z = Math.abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        double erf = 1.0 - r;
        return (float) (x >= 0 ? erf : -erf);
    }

    /** {@code a^b} as {@code Math.pow}, with the common small integer exponents exact. */
    public static float pow(float a, float b) {
        if (b == 2f) return a * a;
        if (b == 1f) return a;
        if (b == 0f) return 1f;
        if (b == 0.5f) return (float) Math.sqrt(a);
        return (float) Math.pow(a, b);
    }

    /** {@code max} with NaN propagating, as PyTorch's {@code maximum}. */
    public static float max(float a, float b) {
        return Math.max(a, b);
    }

    /** {@code min} with NaN propagating, as PyTorch's {@code minimum}. */
    public static float min(float a, float b) {
        return Math.min(a, b);
    }
}
