package dev.tersor.compress.slb;

/** How an SLB layer's logits start. */
public enum SlbInit {
    /**
     * Normal with std √(2/fan_out) of the logits tensor, independent of the float weights (He,
     * fan_out mode), as MindSpore Golden Stick's {@code Conv2dSlbQuant}: every weight starts near
     * the grid's mean (0), which the paper's long schedules (hundreds of epochs) absorb.
     */
    RANDOM,
    /**
     * From the float weight W: {@code A_i = −((W/α − u_i)/δ)²} with u the unit grid and δ = 2/(2^b − 1)
     * its step, so the most probable value is the grid value nearest to W/α and the relaxed
     * weight starts close to W (fine-tuning a trained float model, or short runs). Not in the paper.
     */
    FROM_WEIGHTS
}
