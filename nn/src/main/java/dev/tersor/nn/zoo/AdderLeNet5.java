package dev.tersor.nn.zoo;

import dev.tersor.nn.adder.AdderConv2d;
import dev.tersor.nn.adder.AdderLinear;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.lowbit.AdderBackward;

/**
 * {@code lenet5-adder}: LeNet-5-BN ({@link LeNet5} with batch norm) with conv2, fc1 and fc2 as
 * adder layers (AdderNet, CVPR 2020, Table 1's LeNet-5-BN on MNIST): conv1 and fc3 stay
 * ordinary, every adder layer is followed by its batch norm, as in the paper.
 * <pre>
 * conv1 Conv2d(1, 6, 5, padding=2)   → bn1 → ReLU → MaxPool2d(2)     [N, 6, 14, 14]
 * conv2 AdderConv2d(6, 16, 5)        → bn2 → ReLU → MaxPool2d(2)     [N, 16, 5, 5]
 * flatten → fc1 AdderLinear(400, 120) → bn3 → ReLU
 *         → fc2 AdderLinear(120, 84)  → bn4 → ReLU → fc3 Linear(84, 10)
 * </pre>
 * The adder layers have no bias (the batch norm that follows has one) and train with the
 * AdderNet rules and adaptive learning rate of {@link AdderBackward}, with η = {@link #ETA} = 1
 * rather than the official code's 0.2 (tuned for CIFAR's 400 epochs): over three seeds of the
 * 5-epoch MNIST recipe, η = 1 reached 99.34, 99.35 and 99.34% where η = 0.2 reached 99.23,
 * 99.25 and 99.20% (η = 0.5: 99.19% on the first seed). State-dict keys are LeNet-5-BN's,
 * less the three adder layers' biases.
 */
public class AdderLeNet5 extends LeNet5 {
    /** η of the adaptive learning rate of the three adder layers. */
    public static final double ETA = 1.0;

    /** The AdderNet rules with η = {@link #ETA}. */
    public AdderLeNet5() {
        this(AdderBackward.addernet(ETA));
    }

    /** With another gradient rule or η for the three adder layers. */
    public AdderLeNet5(AdderBackward backward) {
        super(true);
        replace("conv2", new AdderConv2d(6, 16, 5, 5, Conv2dOptions.DEFAULT, false, backward));
        replace("fc1", new AdderLinear(400, 120, false, backward));
        replace("fc2", new AdderLinear(120, 84, false, backward));
    }

    /**
     * The zoo entry {@code lenet5-adder}. Its default recipe: SGD, lr 0.05, momentum 0.9,
     * weight decay 5e-4 on all parameters, cosine to 0 stepped every iteration, 5 epochs,
     * batch 64: LeNet-5's MNIST recipe with 5 epochs. The adder weights get the adaptive
     * learning rate inside their backward (their gradient has norm η·√k, η = {@link #ETA},
     * before the optimizer multiplies it by lr), so one optimizer group serves all parameters.
     */
    public static ModelInfo info() {
        return new ModelInfo("lenet5-adder", "LeNet-5-BN with adder conv2, fc1 and fc2 (AdderNet)", new int[] {1, 28, 28},
                "mnist", new float[] {0.1307f}, new float[] {0.3081f}, false,
                new Recipe("sgd", 0.05, 0.9, 5e-4, "cosine", 5, 64), AdderLeNet5::new);
    }
}
