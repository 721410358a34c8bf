/**
 * Adder networks: layers whose responses are negative L1 distances instead of products
 * (AdderNet, Chen et al., CVPR 2020) and the pieces AdderSR (Song et al., arXiv 2009.08891)
 * adds for super-resolution.
 * <ul>
 *   <li>{@link dev.tersor.nn.adder.AdderConv2d}, {@link dev.tersor.nn.adder.AdderLinear}: the
 *       layers, trained with AdderNet's full-precision weight gradient, HardTanh input gradient and
 *       per-layer adaptive learning rate ({@link dev.tersor.tensor.lowbit.AdderBackward}); follow
 *       each with batch norm;</li>
 *   <li>{@link dev.tersor.nn.adder.AdderResidual}: the identity shortcut {@code y = x + adder(x)};</li>
 *   <li>{@link dev.tersor.nn.adder.PowerActivation}: the learnable {@code sign(x)·|x|^α};</li>
 *   <li>{@link dev.tersor.nn.adder.AdderSrConv}: AdderSR's unit {@code P(x + BN(adder(x)))}, the body
 *       layer of {@link dev.tersor.nn.zoo.EdsrAdder};</li>
 *   <li>{@link dev.tersor.nn.adder.AdderNets}: the adder weights of a model (their own optimizer
 *       group) and η for all its adder layers at once;</li>
 *   <li>{@link dev.tersor.nn.adder.AdderMnistRecipe}: the {@code lenet5-adder} MNIST run.</li>
 * </ul>
 * The ops and their kernels live in {@code dev.tersor.tensor.lowbit} ({@link dev.tersor.tensor.lowbit.Adder},
 * {@link dev.tersor.tensor.lowbit.L1Kernels}); the models in the zoo
 * ({@link dev.tersor.nn.zoo.AdderLeNet5}, {@link dev.tersor.nn.zoo.AdderResNet20}).
 */
package dev.tersor.nn.adder;
