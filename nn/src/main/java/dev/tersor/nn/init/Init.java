package dev.tersor.nn.init;

import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;

/**
 * Weight initialisation as {@code torch.nn.init}, in place (inside a no-grad scope, so it works
 * on parameters) from an explicit {@link Generator}. Each method returns what it filled.
 * <pre>{@code
 * Generator gen = new Generator(0);
 * Init.kaimingNormal(conv.weight(), 0, Init.FanMode.FAN_OUT, Init.Nonlinearity.RELU, gen);  // ResNet
 * Init.zeros(conv.bias());
 * }</pre>
 * Fans follow PyTorch's {@code _calculate_fan_in_and_fan_out}: for a weight of shape
 * {@code [out, in, k1, k2, ...]}, {@code fanIn = in·k1·k2·…} and {@code fanOut = out·k1·k2·…};
 * fewer than two dimensions is an error.
 */
public final class Init {
    private Init() {
    }

    /** Which fan scales the variance: {@code FAN_IN} keeps the forward pass's variance, {@code FAN_OUT} the backward pass's. */
    public enum FanMode {
        FAN_IN,
        FAN_OUT
    }

    /** The activations known to {@link #calculateGain}. */
    public enum Nonlinearity {
        LINEAR, CONV1D, CONV2D, CONV3D, CONV_TRANSPOSE1D, CONV_TRANSPOSE2D, CONV_TRANSPOSE3D, SIGMOID, TANH, RELU, LEAKY_RELU, SELU
    }

    /**
     * Fan-in and fan-out of a weight.
     *
     * @param fanIn  input feature maps × receptive field size
     * @param fanOut output feature maps × receptive field size
     */
    public record Fans(long fanIn, long fanOut) {
    }

    // ---- gains and fans ----

    /** The recommended gain for {@code nonlinearity}, with the leaky ReLU slope 0.01. */
    public static double calculateGain(Nonlinearity nonlinearity) {
        return calculateGain(nonlinearity, 0.01);
    }

    /**
     * The recommended gain: 1 for linear, convolutions and sigmoid; 5/3 for tanh; √2 for ReLU;
     * √(2 / (1 + slope²)) for leaky ReLU with negative slope {@code param}; 3/4 for SELU.
     */
    public static double calculateGain(Nonlinearity nonlinearity, double param) {
        return switch (nonlinearity) {
            case LINEAR, CONV1D, CONV2D, CONV3D, CONV_TRANSPOSE1D, CONV_TRANSPOSE2D, CONV_TRANSPOSE3D, SIGMOID -> 1.0;
            case TANH -> 5.0 / 3;
            case RELU -> Math.sqrt(2.0);
            case LEAKY_RELU -> {
                if (!Double.isFinite(param)) throw new IllegalArgumentException("calculateGain: negative slope must be finite, got " + param);
                yield Math.sqrt(2.0 / (1 + param * param));
            }
            case SELU -> 3.0 / 4;
        };
    }

    /** The fans of a weight of {@code shape} (at least two dimensions). */
    public static Fans fans(int... shape) {
        if (shape.length < 2) {
            throw new IllegalArgumentException("fan in and fan out cannot be computed for a tensor of shape "
                    + Arrays.toString(shape) + " with fewer than 2 dimensions");
        }
        long receptive = 1;
        for (int d = 2; d < shape.length; d++) receptive *= shape[d];
        return new Fans(shape[1] * receptive, shape[0] * receptive);
    }

    /** The fans of {@code t}. */
    public static Fans fans(Tensor t) {
        return fans(t.shape());
    }

    /** {@code t}'s fan-in. */
    public static long fanIn(Tensor t) {
        return fans(t).fanIn();
    }

    /** {@code t}'s fan-out. */
    public static long fanOut(Tensor t) {
        return fans(t).fanOut();
    }

    // ---- plain fills ----

    /** Fills {@code t} with values uniform in [a, b). */
    public static Tensor uniform(Tensor t, double a, double b, Generator gen) {
        if (!(a <= b) || !Double.isFinite(a) || !Double.isFinite(b)) {
            throw new IllegalArgumentException("uniform: need finite a <= b, got a = " + a + ", b = " + b);
        }
        return fill(t, Tensor.rand(gen, t.shape()).mul((float) (b - a)).add((float) a));
    }

    /** Fills {@code t} with normal values of mean {@code mean} and standard deviation {@code std}. */
    public static Tensor normal(Tensor t, double mean, double std, Generator gen) {
        if (!(std >= 0) || !Double.isFinite(std) || !Double.isFinite(mean)) {
            throw new IllegalArgumentException("normal: need finite mean and std >= 0, got mean = " + mean + ", std = " + std);
        }
        return fill(t, Tensor.randn(gen, t.shape()).mul((float) std).add((float) mean));
    }

    /** Fills {@code t} with {@code value}. */
    public static Tensor constant(Tensor t, double value) {
        try (var scope = Tensor.noGrad()) {
            return t.fillInPlace((float) value);
        }
    }

    /** Fills {@code t} with zeros. */
    public static Tensor zeros(Tensor t) {
        return constant(t, 0);
    }

    /** Fills {@code t} with ones. */
    public static Tensor ones(Tensor t) {
        return constant(t, 1);
    }

    // ---- scaled by fans ----

    /** Glorot uniform with gain 1. */
    public static Tensor xavierUniform(Tensor t, Generator gen) {
        return xavierUniform(t, 1.0, gen);
    }

    /** Glorot uniform: U(−a, a) with {@code a = gain·√(6 / (fanIn + fanOut))}. */
    public static Tensor xavierUniform(Tensor t, double gain, Generator gen) {
        if (t.numel() == 0) return t;
        double bound = Math.sqrt(3.0) * xavierStd(t, gain);
        return uniform(t, -bound, bound, gen);
    }

    /** Glorot normal with gain 1. */
    public static Tensor xavierNormal(Tensor t, Generator gen) {
        return xavierNormal(t, 1.0, gen);
    }

    /** Glorot normal: N(0, std²) with {@code std = gain·√(2 / (fanIn + fanOut))}. */
    public static Tensor xavierNormal(Tensor t, double gain, Generator gen) {
        if (t.numel() == 0) return t;
        return normal(t, 0, xavierStd(t, gain), gen);
    }

    /** He uniform with PyTorch's defaults: {@code a = 0}, fan-in, leaky ReLU (gain √2). */
    public static Tensor kaimingUniform(Tensor t, Generator gen) {
        return kaimingUniform(t, 0, FanMode.FAN_IN, Nonlinearity.LEAKY_RELU, gen);
    }

    /**
     * He uniform: U(−bound, bound) with {@code bound = gain·√(3 / fan)}, the gain of
     * {@code nonlinearity} with slope {@code a} (used by leaky ReLU only).
     */
    public static Tensor kaimingUniform(Tensor t, double a, FanMode mode, Nonlinearity nonlinearity, Generator gen) {
        if (t.numel() == 0) return t;
        double bound = Math.sqrt(3.0) * kaimingStd(t, a, mode, nonlinearity);
        return uniform(t, -bound, bound, gen);
    }

    /** He normal with PyTorch's defaults: {@code a = 0}, fan-in, leaky ReLU (gain √2). */
    public static Tensor kaimingNormal(Tensor t, Generator gen) {
        return kaimingNormal(t, 0, FanMode.FAN_IN, Nonlinearity.LEAKY_RELU, gen);
    }

    /** He normal: N(0, std²) with {@code std = gain / √fan}. */
    public static Tensor kaimingNormal(Tensor t, double a, FanMode mode, Nonlinearity nonlinearity, Generator gen) {
        if (t.numel() == 0) return t;
        return normal(t, 0, kaimingStd(t, a, mode, nonlinearity), gen);
    }

    // ---- the same on parameters ----

    /** {@link #uniform(Tensor, double, double, Generator)} on a parameter's value. */
    public static Parameter uniform(Parameter p, double a, double b, Generator gen) {
        uniform(p.value(), a, b, gen);
        return p;
    }

    /** {@link #normal(Tensor, double, double, Generator)} on a parameter's value. */
    public static Parameter normal(Parameter p, double mean, double std, Generator gen) {
        normal(p.value(), mean, std, gen);
        return p;
    }

    /** {@link #constant(Tensor, double)} on a parameter's value. */
    public static Parameter constant(Parameter p, double value) {
        constant(p.value(), value);
        return p;
    }

    /** {@link #zeros(Tensor)} on a parameter's value. */
    public static Parameter zeros(Parameter p) {
        zeros(p.value());
        return p;
    }

    /** {@link #ones(Tensor)} on a parameter's value. */
    public static Parameter ones(Parameter p) {
        ones(p.value());
        return p;
    }

    /** {@link #xavierUniform(Tensor, double, Generator)} on a parameter's value. */
    public static Parameter xavierUniform(Parameter p, double gain, Generator gen) {
        xavierUniform(p.value(), gain, gen);
        return p;
    }

    /** {@link #xavierNormal(Tensor, double, Generator)} on a parameter's value. */
    public static Parameter xavierNormal(Parameter p, double gain, Generator gen) {
        xavierNormal(p.value(), gain, gen);
        return p;
    }

    /** {@link #kaimingUniform(Tensor, double, FanMode, Nonlinearity, Generator)} on a parameter's value. */
    public static Parameter kaimingUniform(Parameter p, double a, FanMode mode, Nonlinearity nonlinearity, Generator gen) {
        kaimingUniform(p.value(), a, mode, nonlinearity, gen);
        return p;
    }

    /** {@link #kaimingNormal(Tensor, double, FanMode, Nonlinearity, Generator)} on a parameter's value. */
    public static Parameter kaimingNormal(Parameter p, double a, FanMode mode, Nonlinearity nonlinearity, Generator gen) {
        kaimingNormal(p.value(), a, mode, nonlinearity, gen);
        return p;
    }

    // ---- internals ----

    private static double xavierStd(Tensor t, double gain) {
        Fans f = fans(t);
        return gain * Math.sqrt(2.0 / (f.fanIn() + f.fanOut()));
    }

    private static double kaimingStd(Tensor t, double a, FanMode mode, Nonlinearity nonlinearity) {
        Fans f = fans(t);
        long fan = mode == FanMode.FAN_IN ? f.fanIn() : f.fanOut();
        return calculateGain(nonlinearity, a) / Math.sqrt(fan);
    }

    private static Tensor fill(Tensor t, Tensor values) {
        try (var scope = Tensor.noGrad()) {
            return t.copyInPlace(values);
        }
    }
}
