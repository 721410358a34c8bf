/**
 * Binary neural networks: layers whose weights and activations are ±1 in the forward pass, with
 * the backward approximations of the literature, and their packed XNOR-popcount inference form.
 * <ul>
 *   <li>{@link dev.tersor.nn.binary.BinaryConv2d}, {@link dev.tersor.nn.binary.BinaryLinear}:
 *       {@code y = (sign(x) ⊛ sign(W))·α + b}, backward chosen by {@link dev.tersor.nn.binary.SignGradient}
 *       (clipped STE, Bi-Real's ApproxSign, RBNN's training-aware tanh) and
 *       {@link dev.tersor.nn.binary.BinaryOptions} (presets xnor, biReal, rbnn).</li>
 *   <li>RBNN (arXiv 2009.13055): {@link dev.tersor.nn.binary.BiRotation} with a small
 *       {@link dev.tersor.nn.binary.JacobiSvd}, updated each epoch by
 *       {@link dev.tersor.nn.binary.BinaryTraining}, which also reports the flipped-sign fraction.</li>
 *   <li>Inference: {@code toInference()} / {@link dev.tersor.nn.binary.BinaryInference#convert} pack the
 *       weights once ({@code dev.tersor.tensor.lowbit}); outputs equal the eval forward exactly.</li>
 *   <li>{@link dev.tersor.nn.binary.BinaryMnistRecipe}: the {@code lenet5-binary} MNIST recipe.</li>
 * </ul>
 * Sign convention everywhere: {@code sign(v) = v >= 0 ? +1 : −1} (zero is +1, NaN −1).
 */
package dev.tersor.nn.binary;
