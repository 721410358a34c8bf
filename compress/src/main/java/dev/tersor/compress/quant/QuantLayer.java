package dev.tersor.compress.quant;

import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Tensor;

/**
 * What conversion to integer inference needs from a quantized layer (a QAT layer, or a float
 * layer calibrated by PTQ): its float weights and bias, how the weights map to integers, and how
 * its input is quantized. Every quantization method (uniform, LSQ, PACT, PAMS, histogram PTQ)
 * reduces to these {@link QParams}: the integer weight is {@code weightQParams().quantize(w, channel)}
 * and the integer input {@code inputQParams().quantize(x, 0)}.
 */
public interface QuantLayer {

    /** The float (latent) weight: [K, C/groups, kh, kw] for a convolution, [out, in] for a linear layer. */
    Tensor weight();

    /** The bias [K], or null. */
    Tensor bias();

    /** Per-output-channel (or per-tensor) parameters of the weight; zero points are 0 (symmetric). */
    QParams weightQParams();

    /** Per-tensor parameters of the input, or null when the input stays float (weight-only quantization). */
    QParams inputQParams();

    /** The convolution's stride, padding, dilation and groups; null for a linear layer. */
    Conv2dOptions convOptions();
}
