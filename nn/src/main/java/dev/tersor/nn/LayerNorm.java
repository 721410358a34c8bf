package dev.tersor.nn;

import dev.tersor.tensor.Tensor;
import java.util.Arrays;

/**
 * Normalises over the last axes given by {@code normalizedShape}:
 * {@code y = (x − mean)/√(var + eps)·γ + β}, with γ, β of that shape.
 */
public class LayerNorm extends Module {
    private final int[] normalizedShape;
    private final float eps;
    private final Parameter weight, bias;

    /** eps 1e-5 with affine parameters. */
    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, 1e-5f, true);
    }

    /** Full control. */
    public LayerNorm(int[] normalizedShape, float eps, boolean elementwiseAffine) {
        if (normalizedShape.length == 0) throw new IllegalArgumentException("LayerNorm: normalizedShape must not be empty");
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.weight = elementwiseAffine ? registerParameter("weight", Tensor.ones(normalizedShape)) : null;
        this.bias = elementwiseAffine ? registerParameter("bias", Tensor.zeros(normalizedShape)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        int k = normalizedShape.length;
        int[] shape = x.shape();
        if (shape.length < k || !Arrays.equals(Arrays.copyOfRange(shape, shape.length - k, shape.length), normalizedShape)) {
            throw new IllegalArgumentException("LayerNorm: input " + Arrays.toString(shape) + " does not end with "
                    + Arrays.toString(normalizedShape));
        }
        int[] axes = new int[k];
        for (int i = 0; i < k; i++) axes[i] = shape.length - k + i;
        Tensor y = Moments.of(x, axes, eps).normalized();
        return weight == null ? y : y.mul(weight.value()).add(bias.value());
    }

    @Override
    protected String extraRepr() {
        return Arrays.toString(normalizedShape) + ", eps=" + eps + ", elementwise_affine=" + (weight != null);
    }
}
