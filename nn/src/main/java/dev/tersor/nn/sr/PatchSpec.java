package dev.tersor.nn.sr;

/**
 * What a training pair is: an HR patch {@code hrSize x hrSize} and its bicubic LR version
 * {@code hrSize/scale} on a side, optionally flipped and rotated.
 * <pre>{@code
 * PatchSpec x2 = new PatchSpec(2, 96, true);    // LR 48x48, HR 96x96, the 8 flips/rotations
 * }</pre>
 *
 * @param scale the integer super-resolution factor, {@code >= 2}
 * @param hrSize side of the HR patch, a positive multiple of {@code scale}
 * @param augment whether each pair is, with probability 1/2 each, flipped left-right, flipped
 *     up-down and transposed (EDSR's {@code augment}: the 8 symmetries of the square, equally likely)
 */
public record PatchSpec(int scale, int hrSize, boolean augment) {
    public PatchSpec {
        if (scale < 2) throw new IllegalArgumentException("patch scale must be an integer >= 2, got " + scale);
        if (hrSize <= 0 || hrSize % scale != 0) {
            throw new IllegalArgumentException("HR patch size must be a positive multiple of the scale " + scale + ", got " + hrSize);
        }
    }

    /** Side of the LR patch: {@code hrSize / scale}. */
    public int lrSize() {
        return hrSize / scale;
    }
}
