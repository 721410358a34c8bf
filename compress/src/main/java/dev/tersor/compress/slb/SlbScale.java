package dev.tersor.compress.slb;

/**
 * The factor α that multiplies an SLB layer's unit grid (see {@link SlbConfig#unitGrid}).
 */
public enum SlbScale {
    /**
     * α = 1: the grid values as they are, as the official SLB implementation (MindSpore Golden
     * Stick's {@code SlbFakeQuantizerPerLayer}); meant for layers followed by batch norm.
     */
    UNIT,
    /**
     * α = max |W| of the float layer at {@link Slb#prepare} time (one α per layer), so the grid spans
     * the float weights' range; needed where no batch norm follows (plain LeNet-5): ±1 weights
     * with fan-in 400 would scale each layer's output by about √400.
     */
    MAX_ABS
}
