package dev.tersor.nn.zoo;

import dev.tersor.nn.Module;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model zoo by name: {@code Zoo.create("resnet20")}. Names: lenet5, lenet5-bn, mlp,
 * resnet20, resnet32, resnet44, resnet56, resnet110, resnet20-fashion (one input channel), vgg-small, edsr (×2; edsr-x3, edsr-x4),
 * edsr-tiny (4 blocks, 16 features),
 * edsr-ghost (GhostSR), edsr-adder (AdderSR), meta-edsr (Meta-SR, any scale in (1, 4]), drn-s (DRN-S x4 with its
 * dual models); the low-cost variants lenet5-binary, resnet20-binary, vgg-small-binary,
 * lenet5-adder and resnet20-adder; lenet5-half (LeNet-5 at half width, a distillation student).
 */
public final class Zoo {
    private static final float[] MNIST_MEAN = {0.1307f};
    private static final float[] MNIST_STD = {0.3081f};
    private static final float[] FASHION_MEAN = {0.2860f};
    private static final float[] FASHION_STD = {0.3530f};
    private static final float[] CIFAR_MEAN = {0.4914f, 0.4822f, 0.4465f};
    private static final float[] CIFAR_STD = {0.2470f, 0.2435f, 0.2616f};
    private static final Map<String, ModelInfo> MODELS = new LinkedHashMap<>();
    /** The models that can be built with another number of classes than their default ten. */
    private static final Map<String, java.util.function.IntFunction<Module>> HEADS = new LinkedHashMap<>();

    static {
        Recipe mnist = new Recipe("sgd", 0.05, 0.9, 5e-4, "cosine", 3, 64);
        add(new ModelInfo("lenet5", "LeNet-5 for 28x28 digits", new int[] {1, 28, 28}, "mnist", MNIST_MEAN, MNIST_STD,
                false, mnist, () -> new LeNet5(false)));
        add(new ModelInfo("lenet5-bn", "LeNet-5 with batch norm after each conv and hidden fc", new int[] {1, 28, 28},
                "mnist", MNIST_MEAN, MNIST_STD, false, mnist, () -> new LeNet5(true)));
        add(new ModelInfo("mlp", "784-512-256-10 perceptron", new int[] {1, 28, 28}, "mnist", MNIST_MEAN, MNIST_STD,
                false, mnist, Mlp::new));
        Recipe cifar = new Recipe("sgd", 0.1, 0.9, 1e-4, "cosine", 200, 128);
        for (int depth : new int[] {20, 32, 44, 56, 110}) {
            add(new ModelInfo("resnet" + depth, "CIFAR ResNet-" + depth + " (He et al. 2016, option-A shortcuts)",
                    new int[] {3, 32, 32}, "cifar10", CIFAR_MEAN, CIFAR_STD, true, cifar, () -> new CifarResNet(depth, 10)));
        }
        add(new ModelInfo("resnet20-fashion", "ResNet-20 for 28x28 grey images (one input channel; Fashion-MNIST)",
                new int[] {1, 28, 28}, "fashion-mnist", FASHION_MEAN, FASHION_STD, false,
                new Recipe("sgd", 0.1, 0.9, 1e-4, "cosine", 15, 128), () -> new CifarResNet(20, 10, 1)));
        add(new ModelInfo("vgg-small", "the 6-conv CIFAR VGG of the binary-network papers", new int[] {3, 32, 32},
                "cifar10", CIFAR_MEAN, CIFAR_STD, true, new Recipe("sgd", 0.1, 0.9, 5e-4, "cosine", 200, 128),
                () -> new VggSmall(10)));
        Recipe sr = new Recipe("adam", 1e-4, 0, 0, "step", 300, 16);
        for (int s : new int[] {2, 3, 4}) {
            add(new ModelInfo(s == 2 ? "edsr" : "edsr-x" + s, "EDSR baseline x" + s + " super-resolution (16 blocks, 64 features)",
                    new int[] {3, 48, 48}, "div2k", new float[0], new float[0], false, sr, () -> new Edsr(s)));
        }
        add(new ModelInfo("edsr-tiny", "EDSR x2 with 4 residual blocks of 16 features (a quick model for trials and tests)",
                new int[] {3, 48, 48}, "div2k", new float[0], new float[0], false, sr, () -> new Edsr(2, 4, 16, 1f, 255f)));
        add(EdsrGhost.info());
        add(EdsrAdder.info());
        add(MetaEdsr.info());
        add(Drn.info());
        add(BinaryLeNet5.info());
        add(BinaryResNet20.info());
        add(BinaryVggSmall.info());
        add(AdderLeNet5.info());
        add(AdderResNet20.info());
        add(new ModelInfo("lenet5-half", "LeNet-5 at half width (3/8 channels, 60/42 units; a distillation student)",
                new int[] {1, 28, 28}, "mnist", MNIST_MEAN, MNIST_STD, false, mnist, () -> new LeNet5(false, 0.5)));
        HEADS.put("lenet5", c -> new LeNet5(false, 1.0, c));
        HEADS.put("lenet5-bn", c -> new LeNet5(true, 1.0, c));
        HEADS.put("lenet5-half", c -> new LeNet5(false, 0.5, c));
        HEADS.put("mlp", Mlp::new);
        for (int depth : new int[] {20, 32, 44, 56, 110}) HEADS.put("resnet" + depth, c -> new CifarResNet(depth, c));
        HEADS.put("resnet20-fashion", c -> new CifarResNet(20, c, 1));
        HEADS.put("vgg-small", VggSmall::new);
    }

    /** The classes a zoo classifier predicts when built by {@link #create(String)}. */
    public static final int DEFAULT_CLASSES = 10;

    /** True when {@code name} can be built with another number of classes ({@link #create(String, int)}). */
    public static boolean takesClasses(String name) {
        return HEADS.containsKey(name);
    }

    /**
     * A fresh {@code name} predicting {@code classes} classes (e.g. 100 for CIFAR-100, or an image
     * folder's count): the same network with another last layer. {@link #DEFAULT_CLASSES} gives
     * {@link #create(String)}'s model; other counts need {@link #takesClasses}.
     */
    public static Module create(String name, int classes) {
        if (classes < 1) throw new IllegalArgumentException(name + ": classes must be >= 1, got " + classes);
        if (classes == DEFAULT_CLASSES) return create(name);
        java.util.function.IntFunction<Module> f = HEADS.get(name);
        if (f == null) {
            info(name);   // an unknown name fails listing the known ones
            throw new IllegalArgumentException(name + " is built with " + DEFAULT_CLASSES + " classes only (not " + classes
                    + "); models that take other counts: " + String.join(", ", HEADS.keySet()));
        }
        return f.apply(classes);
    }

    private Zoo() {
    }

    private static void add(ModelInfo info) {
        MODELS.put(info.name(), info);
    }

    /** Every zoo name, in a stable order. */
    public static List<String> names() {
        return List.copyOf(MODELS.keySet());
    }

    /** The entry for {@code name}; an unknown name lists the valid ones. */
    public static ModelInfo info(String name) {
        ModelInfo info = MODELS.get(name);
        if (info == null) throw new IllegalArgumentException("unknown model '" + name + "'; available: " + String.join(", ", names()));
        return info;
    }

    /** A freshly initialised model. */
    public static Module create(String name) {
        return info(name).create();
    }
}
