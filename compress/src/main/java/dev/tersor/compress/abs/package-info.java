/**
 * ABS, automatic bit sharing (Liu et al., arXiv 2101.04935): a mixed-precision and filter-pruning
 * search in one super-bit model. {@link dev.tersor.compress.abs.Abs#prepare} swaps layers for
 * {@link dev.tersor.compress.abs.SuperBitLayer}s whose weights and inputs are quantized on nested
 * grids ({@link dev.tersor.compress.abs.NestedGrid}: a b-bit value is the lowest-bit value plus
 * quantized re-assignment offsets) with learned binary gates; {@link dev.tersor.compress.abs.Abs#penalty}
 * keeps the BOPs under a budget; {@link dev.tersor.compress.abs.Abs#finish} gives ordinary
 * {@code QuantConv2d}/{@code QuantLinear} layers at the chosen bits, ready for
 * {@code Conversion.convert} and {@code CompressedModel.save}, its 0-bit filters zeroed;
 * {@link dev.tersor.compress.abs.FilterRemoval} then removes them with the pruning engine.
 */
package dev.tersor.compress.abs;
