package dev.tersor.nn.sr;

import dev.tersor.tensor.Tensor;

/**
 * An {@link AnyScaleModel} that computes any block of its whole-image output from a window of
 * the image: what {@link AnyScaleUpscaler} tiles. Along each axis the model states its
 * coordinate map ({@link #sources}: the LR pixel each output pixel is made around), and
 * {@link #forward(Tensor, double, Span, Span)} computes the output pixels {@code [from, to)} of the
 * whole image with the whole image's coordinates, so a block equals the same block of
 * {@code forward(image, scale)} when the window holds the receptive field of each of its pixels
 * (or reaches the image's border there).
 */
public interface WindowedModel extends AnyScaleModel {
    /**
     * Along an axis of {@code size} LR pixels at {@code scale}: for each of the output pixels
     * {@code [⌊s·size⌋]} the LR pixel it is made around, non-decreasing, each in {@code [0, size)}.
     */
    int[] sources(int size, double scale);

    /**
     * The block {@code rows.from..rows.to × cols.from..cols.to} of {@code forward(image, scale)}
     * from {@code window} {@code [1, 3, h, w]}, the pixels {@code [rows.start, rows.start + h) ×
     * [cols.start, cols.start + w)} of the image: {@code [1, 3, rows.to − rows.from, cols.to − cols.from]}.
     */
    Tensor forward(Tensor window, double scale, Span rows, Span cols);

    /**
     * One axis of a window.
     *
     * @param size  the whole image's LR pixels along the axis
     * @param start the window's first LR pixel
     * @param from  the first output pixel wanted (of the whole image's output)
     * @param to    one past the last
     */
    record Span(int size, int start, int from, int to) {
        public Span {
            if (size < 1 || start < 0 || start >= size || from < 0 || to <= from) {
                throw new IllegalArgumentException("window span: need 0 <= start < size and 0 <= from < to, got size " + size + ", start "
                        + start + ", output " + from + ".." + to);
            }
        }
    }
}
