package dev.tersor.tensor;

/** Argument checks and raw contiguous access shared by the NN-functional ops. */
final class OpArgs {
    private OpArgs() {
    }

    /** {@code t} itself when contiguous, else a contiguous copy; never recorded in the graph. */
    static Tensor dense(Tensor t) {
        return t.isContiguous() ? t : Tensor.wrap(t.toArray(), t.shape);
    }

    /** Fails unless {@code x} has rank {@code rank}; {@code layout} names the axes, e.g. "[N, C, H, W]". */
    static void rank(String op, String role, Tensor x, int rank, String layout) {
        if (x.dim() != rank) {
            throw new IllegalArgumentException(op + ": " + role + " " + Shape.str(x.shape) + " must be " + rank + "-D "
                    + layout + ", got " + x.dim() + "-D");
        }
    }

    /** Fails unless {@code x} is [..., H, W] with at least {@code min} axes and a non-empty plane. */
    static void planes(String op, Tensor x, int min) {
        if (x.dim() < min || x.dim() > 4) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(x.shape) + " must be 3-D [C, H, W] or 4-D"
                    + " [N, C, H, W], got " + x.dim() + "-D");
        }
        if (x.shape[x.dim() - 1] == 0 || x.shape[x.dim() - 2] == 0) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(x.shape) + " has an empty plane");
        }
    }

    /** Fails unless {@code value > 0}. */
    static void positive(String op, String what, int value) {
        if (value <= 0) throw new IllegalArgumentException(op + ": " + what + " must be positive, got " + value);
    }

    /** "3×3". */
    static String pair(int h, int w) {
        return h + "×" + w;
    }
}
