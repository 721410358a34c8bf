package dev.tersor.nn.sr;

/**
 * A super-resolution model that states the context, in LR pixels, a tile needs around it
 * ({@link Upscaler#receptiveRadius} returns it instead of summing the model's convolutions): for
 * models that downsample inside (DRN) or whose outputs also depend on global statistics.
 */
public interface TileMargin {
    /** LR pixels of context on each side of a tile. */
    int tileMargin();
}
