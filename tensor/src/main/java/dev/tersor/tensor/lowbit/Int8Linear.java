package dev.tersor.tensor.lowbit;

import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;

public final class Int8Linear {
    private final Tensor w; private final float[] mult; private final float[] bias; private final Int8Input in;
    private Int8Linear(Tensor w, float[] mult, float[] bias, Int8Input in) { this.w = w; this.mult = mult; this.bias = bias; this.in = in; }
    public static Int8Linear pack(byte[] weight, int out, int inF, float[] weightScale, Int8Input input, float[] bias, boolean relu) {
        float[] f = new float[weight.length];
        for (int i = 0; i < f.length; i++) f[i] = weight[i];
        float[] m = new float[out];
        for (int k = 0; k < m.length; k++) m[k] = input.scale() * weightScale[weightScale.length == 1 ? 0 : k];
        return new Int8Linear(Tensor.fromArray(f, out, inF), m, bias, input);
    }
    public Tensor apply(Tensor x) {
        Tensor xq = Tensor.fromArray(in.quantizeCentered(x.contiguous().toArray()), x.shape());
        Tensor acc = Functional.linear(xq, w, null);
        float[] a = acc.toArray();
        for (int i = 0; i < a.length; i++) { int k = i % mult.length; a[i] = a[i] * mult[k] + (bias == null ? 0f : bias[k]); }
        return Tensor.fromArray(a, acc.shape());
    }
    public String kernelName() { return "shim"; }
}
