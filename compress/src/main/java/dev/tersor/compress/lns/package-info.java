/**
 * LNS, learned binarization with noisy supervision (Han et al., ICML 2020, arXiv 2010.04871): the
 * ±1 weights of each binary layer are predicted per filter by a small network
 * ({@link dev.tersor.compress.lns.FilterMapping}), supervised by sign(W) as noisy labels through
 * an unbiased estimator ({@link dev.tersor.compress.lns.NoisySupervision}).
 * <ul>
 *   <li>{@link dev.tersor.compress.lns.Lns}: prepare a binary model, the loss to add, fix the signs.</li>
 *   <li>{@link dev.tersor.compress.lns.LnsConv2d}, {@link dev.tersor.compress.lns.LnsLinear}: binary layers
 *       of {@code dev.tersor.nn.binary} with the learned signs; they pack with {@code BinaryInference.convert}.</li>
 * </ul>
 */
package dev.tersor.compress.lns;
