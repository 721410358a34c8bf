package dev.tersor.nn;

import dev.tersor.tensor.Tensor;

/**
 * {@code x > 0 ? x : a·x} with a learned slope {@code a}: one shared value or one per channel
 * (axis 1), initialised to 0.25 as PyTorch.
 */
public class PReLU extends Module {
    private final Parameter weight;
    private final int count;

    /** One shared slope. */
    public PReLU() {
        this(1, 0.25f);
    }

    /** {@code numParameters} slopes (1 or the channel count), all starting at {@code init}. */
    public PReLU(int numParameters, float init) {
        if (numParameters < 1) throw new IllegalArgumentException("PReLU: numParameters must be >= 1, got " + numParameters);
        this.count = numParameters;
        this.weight = registerParameter("weight", Tensor.full(init, numParameters));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor a = weight.value();
        if (count > 1) {
            if (x.dim() < 2 || x.size(1) != count) {
                throw new IllegalArgumentException("PReLU: input " + java.util.Arrays.toString(x.shape())
                        + " does not have " + count + " channels on axis 1");
            }
            int[] shape = new int[x.dim()];
            java.util.Arrays.fill(shape, 1);
            shape[1] = count;
            a = a.reshape(shape);
        }
        return Tensor.where(x.gt(0f), x, x.mul(a));
    }

    @Override
    protected String extraRepr() {
        return "num_parameters=" + count;
    }
}
