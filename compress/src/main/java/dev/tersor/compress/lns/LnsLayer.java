package dev.tersor.compress.lns;

import dev.tersor.nn.Module;
import dev.tersor.tensor.Tensor;

/**
 * A binary layer whose weight signs come from a learned {@link FilterMapping} (LNS, Han et al.,
 * "Training Binary Neural Networks through Learning with Noisy Supervision", ICML 2020,
 * arXiv 2010.04871):
 * <pre>
 * t = f(W) [out, d]           the mapping of each filter (d = fan-in) as a whole
 * y = (sign(x) ⊛ sign(t))·α + bias       α as the layer's options (mean |W| per filter by default)
 * L_sup = mean ℓ̃(t, sign(W))            sign(W) the noisy labels ({@link NoisySupervision})
 * </pre>
 * The weights' sign passes the gradient straight through to t ({@link MappedSign}); the options'
 * weight-gradient rule is not used. The activations' sign keeps the options' rule. Being a
 * {@code BinaryConv2d}/{@code BinaryLinear}, an LNS layer packs with
 * {@code BinaryInference.convert} (the packed signs are sign(t)).
 */
public sealed interface LnsLayer permits LnsConv2d, LnsLinear {
    /** The mapping network. */
    FilterMapping mapping();

    /** t = f(W) [out, d], with graph. */
    Tensor mappedWeight();

    /** The mean unbiased supervision loss of this layer's t against sign(W), with graph. */
    Tensor supervisionLoss();

    /** The fraction of weights whose learned sign differs from sign(W), now. */
    double flipFraction();

    /** A plain binary layer with the learned signs and scales fixed (outputs unchanged). */
    Module toFixed();
}
