package dev.tersor.cli;

import dev.tersor.nn.data.RandomCrop;
import dev.tersor.nn.data.RandomHorizontalFlip;
import dev.tersor.nn.data.Transform;
import dev.tersor.nn.zoo.ModelInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The training-time augmentation of {@code train} and of the {@code compress} commands that train
 * ({@code --augment}): a random crop after zero padding of {@code cropPadding} pixels on every
 * side (0: none), then a horizontal flip with probability one half, both applied to the [0, 1]
 * pixels before the model's normalisation, so the padding is black. The default is the model's
 * recipe ({@link ModelInfo#augment()}: crop with padding 4 and flip, or nothing).
 *
 * <p>Written as {@code none}, {@code flip}, {@code crop=P} or {@code crop=P,flip} (either order);
 * {@link #spec()} gives the canonical form, which checkpoints record so a resume continues with it.
 *
 * @param cropPadding zeros added on each side before the crop, 0 for no crop
 * @param flip        whether a random half of the images is mirrored left to right
 */
record Augmentation(int cropPadding, boolean flip) {
    /** No augmentation. */
    static final Augmentation NONE = new Augmentation(0, false);
    /** The padding of the zoo models' recipe (the CIFAR {@code RandomCrop(32, padding=4)}). */
    static final int RECIPE_PADDING = 4;
    /** The largest padding accepted: beyond it most of a small image's crop would be padding. */
    static final int MAX_PADDING = 16;

    Augmentation {
        if (cropPadding < 0 || cropPadding > MAX_PADDING) {
            throw new IllegalArgumentException("crop padding must be between 0 and " + MAX_PADDING + " pixels, got " + cropPadding);
        }
    }

    /** The augmentation of {@code model}'s recipe. */
    static Augmentation of(ModelInfo model) {
        return model.augment() ? new Augmentation(RECIPE_PADDING, true) : NONE;
    }

    /**
     * Parses {@code spec} ({@code none}, {@code flip}, {@code crop=P}, {@code crop=P,flip}; case and
     * spaces ignored). Anything else, a part given twice, or a padding outside [1, {@value #MAX_PADDING}]
     * is an {@link IllegalArgumentException} that says what is accepted.
     */
    static Augmentation parse(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT).replace(" ", "");
        if (s.equals("none")) return NONE;
        int pad = 0;
        boolean flip = false;
        for (String part : s.split(",", -1)) {
            if (part.equals("flip") && !flip) {
                flip = true;
            } else if (part.startsWith("crop=") && pad == 0) {
                pad = padding(spec, part.substring("crop=".length()));
            } else {
                throw bad(spec, part.equals("flip") || part.startsWith("crop=") ? "'" + part + "' is given twice" : "unknown part '" + part + "'");
            }
        }
        return new Augmentation(pad, flip);
    }

    private static int padding(String spec, String value) {
        int p;
        try {
            p = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw bad(spec, "the crop padding '" + value + "' is not a whole number of pixels");
        }
        if (p < 1 || p > MAX_PADDING) throw bad(spec, "the crop padding must be between 1 and " + MAX_PADDING + " pixels, got " + p);
        return p;
    }

    private static IllegalArgumentException bad(String spec, String why) {
        return new IllegalArgumentException("'" + spec + "': " + why + "; give none, flip, crop=P or crop=P,flip (P: padding in pixels)");
    }

    /** The canonical written form: {@code none}, {@code flip}, {@code crop=P} or {@code crop=P,flip}. */
    String spec() {
        if (cropPadding == 0) return flip ? "flip" : "none";
        return "crop=" + cropPadding + (flip ? ",flip" : "");
    }

    /** The transforms, in order, for images of {@code model}'s input size (before its normalisation). */
    List<Transform> transforms(ModelInfo model) {
        List<Transform> t = new ArrayList<>(2);
        if (cropPadding > 0) t.add(new RandomCrop(model.inputShape()[1], cropPadding));
        if (flip) t.add(new RandomHorizontalFlip(0.5f));
        return t;
    }

    /**
     * The augmentation a run uses: {@code given} ({@code --augment}, null when left out), else the
     * resumed run's ({@code recorded}, null when none or not recorded), else the model's recipe. A
     * bad {@code given} is a usage error naming the flag.
     */
    static Augmentation resolve(picocli.CommandLine cl, String given, String recorded, ModelInfo model) {
        String spec = given != null ? given : recorded;
        if (spec == null) return of(model);
        try {
            return parse(spec);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(cl, (given != null ? "--augment " : "the resumed run's recorded augment ") + e.getMessage());
        }
    }
}
