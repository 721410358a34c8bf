package dev.tersor.compress.distill;

import dev.tersor.tensor.Tensor;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * How the student's (normalised) input batch becomes the teacher's when the two models were
 * trained with different normalisations: per channel c,
 * {@code x_t = (x_s·std_s[c] + mean_s[c] − mean_t[c]) / std_t[c]}, i.e. undo the student's
 * normalisation and apply the teacher's. Equal statistics give the identity.
 */
public final class InputMapping {
    private InputMapping() {
    }

    /** The mapping for images [N, C, ...] from the student's mean/std to the teacher's (one value per channel each). */
    public static UnaryOperator<Tensor> renormalize(float[] studentMean, float[] studentStd, float[] teacherMean, float[] teacherStd) {
        int c = studentMean.length;
        if (studentStd.length != c || teacherMean.length != c || teacherStd.length != c) {
            throw new IllegalArgumentException("InputMapping: the student normalises " + c + " channels (std " + studentStd.length
                    + "), the teacher " + teacherMean.length + " (std " + teacherStd.length + ")");
        }
        if (Arrays.equals(studentMean, teacherMean) && Arrays.equals(studentStd, teacherStd)) return UnaryOperator.identity();
        float[] scale = new float[c], shift = new float[c];
        for (int i = 0; i < c; i++) {
            scale[i] = studentStd[i] / teacherStd[i];
            shift[i] = (studentMean[i] - teacherMean[i]) / teacherStd[i];
        }
        return x -> {
            if (x.dim() < 2 || x.size(1) != c) {
                throw new IllegalArgumentException("InputMapping: expected [N, " + c + ", ...] images, got " + Arrays.toString(x.shape()));
            }
            int[] bshape = new int[x.dim()];
            Arrays.fill(bshape, 1);
            bshape[1] = c;
            return x.mul(Tensor.fromArray(scale, bshape)).add(Tensor.fromArray(shift, bshape));
        };
    }
}
