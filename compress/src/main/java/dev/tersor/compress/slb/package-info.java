/**
 * SLB, searched low-bit weights (Yang et al., NeurIPS 2020, arXiv 2009.08695): each weight of a
 * Conv2d/Linear is a softmax over the 2^b values of a grid ({@link dev.tersor.compress.slb.SlbConfig#unitGrid}
 * times α, {@link dev.tersor.compress.slb.SlbScale}), relaxed in training with a rising temperature
 * ({@link dev.tersor.compress.slb.SlbSchedule}), then fixed to its most probable value.
 * <ul>
 *   <li>{@link dev.tersor.compress.slb.Slb}: prepare a model, the epoch hook, state batch norm, discretize.</li>
 *   <li>{@link dev.tersor.compress.slb.SlbConv2d}, {@link dev.tersor.compress.slb.SlbLinear}: the layers
 *       ({@code relaxedWeight}, {@code discreteWeight}, {@code grid}, {@code indices}).</li>
 *   <li>{@link dev.tersor.compress.slb.SlbCodebook}: values and indices of a discretized layer.</li>
 * </ul>
 * Activations stay float.
 */
package dev.tersor.compress.slb;
