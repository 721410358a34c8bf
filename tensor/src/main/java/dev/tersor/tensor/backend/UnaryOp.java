package dev.tersor.tensor.backend;

/**
 * The closed set of elementwise one-input kernels, {@code y[i] = f(x[i])}. Some take one
 * float parameter {@code p}; the others ignore it.
 */
public enum UnaryOp {
    /** {@code -x} */
    NEG,
    /** {@code e^x} */
    EXP,
    /** {@code ln x} */
    LOG,
    /** {@code √x} */
    SQRT,
    /** {@code |x|} */
    ABS,
    /** {@code sign(x)} ∈ {-1, 0, 1} (0 for ±0, NaN stays NaN) */
    SIGN,
    /** {@code max(x, 0)} */
    RELU,
    /** {@code x > 0 ? x : p·x} */
    LEAKY_RELU,
    /** {@code 1 / (1 + e^-x)} */
    SIGMOID,
    /** {@code tanh x} */
    TANH,
    /** {@code x·Φ(x)} with the exact normal CDF Φ (PyTorch's default GELU) */
    GELU,
    /** {@code d/dx [x·Φ(x)] = Φ(x) + x·φ(x)} */
    GELU_GRAD,
    /** {@code 1 / x} */
    RECIPROCAL,
    /** {@code x^p} */
    POW,
    /** {@code p·x} */
    SCALE,
    /** {@code x + p} */
    SHIFT,
    /** {@code max(x, p)} */
    MAX_SCALAR,
    /** {@code min(x, p)} */
    MIN_SCALAR
}
