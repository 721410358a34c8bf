package dev.tersor.compress.quant;

import dev.tersor.nn.Module;
import dev.tersor.nn.optim.Adam;
import dev.tersor.nn.optim.ParamGroup;
import java.util.List;

/**
 * PAMS-EDSR (Li et al. 2020, arXiv 2011.04212; colorjam/PAMS {@code model/edsr.py},
 * {@code main.py}): the convolutions of EDSR's residual blocks ({@code body.i.body.0} and
 * {@code body.i.body.2}) get per-tensor max-symmetric weights and PAMS activation quantizers
 * with a learned bound; the head, the body's last convolution and the tail stay float, as in the
 * official {@code PAMS_EDSR}. Training: Adam (betas 0.9/0.999, eps 1e-8) at 1e-4 for the weights
 * and 1e-2 for the bounds, the bounds set by an EMA in the first epoch
 * ({@link Quantization#epochStart}, {@code ema_epoch 1}), loss L1 + 1000·AT against the float
 * teacher ({@link dev.tersor.compress.distill.SrDistillation#pams}), the rate halved every 10
 * epochs of 1000 iterations for 30 epochs.
 * <pre>{@code
 * Edsr student = ..., teacher = ...;                          // both loaded from the float weights
 * Quantization.prepare(student, PamsEdsr.config(4));         // W4A4
 * Adam adam = PamsEdsr.optimizer(student, 1e-4, 1e-2);
 * }</pre>
 *
 * <p>One difference in where activations are quantized: here every quantized convolution
 * quantizes its own input (so each runs on integer kernels after {@link
 * dev.tersor.compress.convert.Conversion#convert}), i.e. the block input before {@code body.0}
 * and the ReLU output before {@code body.2}; the official block quantizes the ReLU output, the
 * shortcut and the scaled body output, and feeds the first convolution the sum of the last two.
 */
public final class PamsEdsr {
    /** The dotted paths of EDSR's residual-block convolutions. */
    public static final String BLOCK_CONVOLUTIONS = "body\\.\\d+\\.body\\.\\d+";
    /** The paper's learning rates: weights and bounds. */
    public static final double LR = 1e-4, CLIP_LR = 1e-2;
    /** The official {@code --decay 10 --gamma 0.5 --epochs 30}: epochs between halvings, and epochs. */
    public static final int DECAY_EPOCHS = 10, EPOCHS = 30;

    private PamsEdsr() {
    }

    /** PAMS with {@code bits}-bit weights and activations on the residual blocks' convolutions only. */
    public static QuantConfig config(int bits) {
        return QuantConfig.builder(QuantMethod.PAMS).bits(bits, bits).only(BLOCK_CONVOLUTIONS).build();
    }

    /** Adam over a prepared model: the weights at {@code lr}, the quantizers' bounds at {@code clipLr}. */
    public static Adam optimizer(Module prepared, double lr, double clipLr) {
        List<dev.tersor.nn.Parameter> clips = Quantization.quantizerParameters(prepared);
        if (clips.isEmpty()) throw new IllegalArgumentException("PamsEdsr: the model has no quantizers; call Quantization.prepare first");
        Adam.Options w = Adam.options().lr(lr).betas(0.9, 0.999).eps(1e-8).build();
        Adam.Options a = Adam.options().lr(clipLr).betas(0.9, 0.999).eps(1e-8).build();
        return new Adam(List.of(new ParamGroup<>(Quantization.weightParameters(prepared), w), new ParamGroup<>(clips, a)));
    }
}
