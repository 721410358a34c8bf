package dev.tersor.tensor;

/**
 * The float array behind a tensor and its views, with a version counter that every in-place
 * write bumps, so autograd can tell when a tensor it saved for backward has changed.
 */
final class Storage {
    final float[] data;
    private int version;

    Storage(float[] data) {
        this.data = data;
    }

    int version() {
        return version;
    }

    void bump() {
        version++;
    }
}
