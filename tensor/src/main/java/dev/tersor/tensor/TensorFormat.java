package dev.tersor.tensor;

/**
 * PyTorch-style printing: nested brackets, aligned values, and "..." past 1000 elements, keeping
 * three items at each edge of every axis.
 */
final class TensorFormat {
    private static final int THRESHOLD = 1000;
    private static final int EDGE = 3;

    private TensorFormat() {
    }

    static String format(Tensor t) {
        return format(t, false);
    }

    static String format(Tensor t, boolean integers) {
        float[] v = t.toArray();
        int[] shape = t.shape;
        boolean elide = v.length > THRESHOLD;
        boolean allInt = integers;
        if (!allInt) {
            allInt = true;
            for (float f : v) allInt &= Float.isFinite(f) && f == Math.rint(f) && Math.abs(f) < 1e7;
        }
        int width = 1;
        for (float f : v) width = Math.max(width, number(f, allInt).length());
        StringBuilder sb = new StringBuilder("tensor(");
        if (shape.length == 0) {
            sb.append(number(v[0], allInt));
        } else {
            append(sb, v, shape, Shape.contiguousStrides(shape), 0, 0, width, allInt, elide);
        }
        sb.append(", shape=").append(Shape.str(shape));
        if (integers) sb.append(", dtype=int32");
        if (t.gradFn != null) sb.append(", grad_fn=<").append(t.gradFn.op).append('>');
        else if (t.requiresGrad()) sb.append(", requires_grad=true");
        return sb.append(')').toString();
    }

    private static void append(StringBuilder sb, float[] v, int[] shape, int[] strides, int axis, int base,
                               int width, boolean ints, boolean elide) {
        sb.append('[');
        int n = shape[axis];
        String indent = " ".repeat(8 + axis);
        for (int i = 0; i < n; i++) {
            if (elide && n > 2 * EDGE && i == EDGE) {
                sb.append(axis == shape.length - 1 ? "..., " : "...,\n" + indent);
                i = n - EDGE - 1;
                continue;
            }
            if (axis == shape.length - 1) {
                String s = number(v[base + i * strides[axis]], ints);
                sb.append(" ".repeat(width - s.length())).append(s);
            } else {
                append(sb, v, shape, strides, axis + 1, base + i * strides[axis], width, ints, elide);
            }
            if (i < n - 1) sb.append(axis == shape.length - 1 ? ", " : ",\n" + "\n".repeat(Math.max(0, shape.length - axis - 2)) + indent);
        }
        sb.append(']');
    }

    private static String number(float f, boolean ints) {
        if (Float.isNaN(f)) return "nan";
        if (Float.isInfinite(f)) return f > 0 ? "inf" : "-inf";
        if (ints) return Long.toString((long) f) + (f == 0f && 1 / f < 0 ? "" : "");
        float a = Math.abs(f);
        if (a != 0f && (a >= 1e5f || a < 1e-4f)) return String.format(java.util.Locale.ROOT, "%.4e", f);
        return String.format(java.util.Locale.ROOT, "%.4f", f);
    }
}
