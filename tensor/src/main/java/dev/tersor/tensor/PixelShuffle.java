package dev.tersor.tensor;

/**
 * Pixel shuffle and its inverse as a reshape, a permute and a copying reshape; the gradient
 * comes from those views (their backward is the inverse permutation).
 */
final class PixelShuffle {
    private PixelShuffle() {
    }

    /** See {@link Functional#pixelShuffle}: {@code [*, C·r², H, W] → [*, C, H·r, W·r]}. */
    static Tensor shuffle(Tensor x, int r) {
        String op = "pixelShuffle";
        check(op, x, r);
        int d = x.dim(), c = x.shape[d - 3], h = x.shape[d - 2], w = x.shape[d - 1];
        if (c % (r * r) != 0) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(x.shape) + " has " + c
                    + " channels, not divisible by upscale² = " + r * r);
        }
        int[] lead = java.util.Arrays.copyOf(x.shape, d - 3);
        int b = Shape.numel(lead), oc = c / (r * r);
        Tensor t = x.reshape(b, oc, r, r, h, w).permute(0, 1, 4, 2, 5, 3);   // [b, oc, h, r, w, r]
        return owned(t.reshape(concat(lead, oc, h * r, w * r)), x);
    }

    /** See {@link Functional#pixelUnshuffle}: {@code [*, C, H·r, W·r] → [*, C·r², H, W]}. */
    static Tensor unshuffle(Tensor x, int r) {
        String op = "pixelUnshuffle";
        check(op, x, r);
        int d = x.dim(), c = x.shape[d - 3], h = x.shape[d - 2], w = x.shape[d - 1];
        if (h % r != 0 || w % r != 0) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(x.shape) + " has a " + h + "×" + w
                    + " plane, not divisible by downscale " + r);
        }
        int[] lead = java.util.Arrays.copyOf(x.shape, d - 3);
        int b = Shape.numel(lead);
        Tensor t = x.reshape(b, c, h / r, r, w / r, r).permute(0, 1, 3, 5, 2, 4);   // [b, c, r, r, h/r, w/r]
        return owned(t.reshape(concat(lead, c * r * r, h / r, w / r)), x);
    }

    private static void check(String op, Tensor x, int r) {
        if (x.dim() < 3) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(x.shape) + " must have at least 3 axes [*, C, H, W]");
        }
        OpArgs.positive(op, "factor", r);
    }

    /** {@code y}, copied if it is still a view of {@code x} (factor 1, or a reshape that needed no copy). */
    private static Tensor owned(Tensor y, Tensor x) {
        return y.storage == x.storage ? y.copy() : y;
    }

    private static int[] concat(int[] lead, int c, int h, int w) {
        int[] s = java.util.Arrays.copyOf(lead, lead.length + 3);
        s[lead.length] = c;
        s[lead.length + 1] = h;
        s[lead.length + 2] = w;
        return s;
    }
}
