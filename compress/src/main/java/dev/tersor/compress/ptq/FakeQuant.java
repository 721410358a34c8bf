package dev.tersor.compress.ptq;

import dev.tersor.compress.quant.QParams;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;

/** {@code x̂ = (clamp(rint(x/s) + z) − z)·s}, per tensor or per slice of dimension 0; no gradient. */
final class FakeQuant {
    private FakeQuant() {
    }

    static Tensor apply(Tensor x, QParams qp) {
        float[] v = x.contiguous().toArray();
        int channels = qp.channels();
        if (channels > 1 && (x.dim() == 0 || x.size(0) != channels)) {
            throw new IllegalArgumentException("fake quantization: " + channels + " channels for a tensor of shape " + Arrays.toString(x.shape()));
        }
        int per = channels > 1 ? v.length / channels : v.length;
        for (int i = 0; i < v.length; i++) {
            int c = channels > 1 ? i / per : 0;
            v[i] = qp.dequantize(qp.quantize(v[i], c), c);
        }
        return Tensor.fromArray(v, x.shape());
    }
}
