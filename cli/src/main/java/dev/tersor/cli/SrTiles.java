package dev.tersor.cli;

import dev.tersor.nn.Module;
import dev.tersor.nn.sr.AnyScaleEvaluation;
import dev.tersor.nn.sr.AnyScaleUpscaler;
import dev.tersor.nn.sr.Image;
import dev.tersor.nn.sr.SrEvaluation;
import dev.tersor.nn.sr.Upscaler;
import dev.tersor.nn.zoo.MetaEdsr;
import dev.tersor.nn.zoo.ModelInfo;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * A loaded SR model run in tiles, for {@code upscale} and {@code eval --task sr}: at an integer
 * scale by {@link Upscaler} (as ever), at a non-integer one (meta-edsr) by {@link AnyScaleUpscaler},
 * which cuts the output along the model's own coordinate map; the margin is the model's receptive
 * radius either way, so the tiles give the whole-image result.
 */
final class SrTiles {
    private final Upscaler integer;
    private final AnyScaleUpscaler any;

    private SrTiles(Upscaler integer, AnyScaleUpscaler any) {
        this.integer = integer;
        this.any = any;
    }

    /** {@code info}'s model with the weights of {@code weights}, tiled by {@code tile} LR pixels at {@code scale}. */
    static SrTiles load(CommandLine cl, ModelInfo info, SrScale scale, Path weights, int tile) throws IOException {
        if (scale.isInteger()) {
            Module net = SrModels.load(cl, info, scale.intValue(), weights);
            return new SrTiles(new Upscaler(net, scale.intValue(), tile, Upscaler.receptiveRadius(net)), null);
        }
        MetaEdsr net = SrModels.loadAnyScale(cl, info, scale, weights);
        return new SrTiles(null, new AnyScaleUpscaler(net, scale.value(), tile, Upscaler.receptiveRadius(net)));
    }

    /** The margin around each tile, in LR pixels. */
    int margin() {
        return integer != null ? integer.margin() : any.margin();
    }

    /** The SR image of {@code lr}, quantised; {@code progress} may be null. */
    Image upscale(Image lr, Upscaler.Progress progress) {
        return integer != null ? integer.upscale(lr, progress) : any.upscale(lr, progress);
    }

    /** How {@code eval --task sr} scores an HR image: {@link SrEvaluation}'s crop and shave, or {@link AnyScaleEvaluation}'s. */
    SrEvaluation.Scorer scorer() {
        return integer != null ? SrEvaluation.scorer(integer) : AnyScaleEvaluation.scorer(any);
    }

    /** The smallest HR side that can be scored. */
    int minimumSide() {
        return integer != null ? SrEvaluation.minimumSide(integer.scale()) : AnyScaleEvaluation.minimumSide(any.scale());
    }
}
