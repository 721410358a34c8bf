package dev.tersor.tensor.backend;

/**
 * The closed set of elementwise two-input kernels, {@code z[i] = f(a[i], b[i])}. Comparisons
 * produce {@code 1f} for true and {@code 0f} for false.
 */
public enum BinaryOp {
    /** {@code a + b} */
    ADD,
    /** {@code a - b} */
    SUB,
    /** {@code a · b} */
    MUL,
    /** {@code a / b} */
    DIV,
    /** {@code a^b} */
    POW,
    /** {@code max(a, b)} (NaN propagates) */
    MAX,
    /** {@code min(a, b)} (NaN propagates) */
    MIN,
    /** {@code a == b} */
    EQ,
    /** {@code a != b} */
    NE,
    /** {@code a < b} */
    LT,
    /** {@code a <= b} */
    LE,
    /** {@code a > b} */
    GT,
    /** {@code a >= b} */
    GE,
    /** {@code b > 0 ? a : 0}: the gradient of ReLU, a the output gradient and b the output (0 where b ≤ 0 even if a is NaN, as in PyTorch) */
    RELU_GRAD
}
