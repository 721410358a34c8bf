package dev.tersor.tensor.lowbit;

import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;

public final class Int8Conv2d {
    private final Tensor w; private final Conv2dOptions o; private final float[] mult; private final float[] bias; private final Int8Input in;
    private Int8Conv2d(Tensor w, Conv2dOptions o, float[] mult, float[] bias, Int8Input in) { this.w = w; this.o = o; this.mult = mult; this.bias = bias; this.in = in; }
    public static Int8Conv2d pack(byte[] weight, int[] shape, Conv2dOptions options, float[] weightScale, Int8Input input, float[] bias, boolean relu) {
        float[] f = new float[weight.length];
        for (int i = 0; i < f.length; i++) f[i] = weight[i];
        float[] m = new float[shape[0]];
        for (int k = 0; k < m.length; k++) m[k] = input.scale() * weightScale[weightScale.length == 1 ? 0 : k];
        return new Int8Conv2d(Tensor.fromArray(f, shape), options, m, bias, input);
    }
    public Tensor apply(Tensor x) {
        Tensor xq = Tensor.fromArray(in.quantizeCentered(x.contiguous().toArray()), x.shape());
        Tensor acc = Functional.conv2d(xq, w, null, o);
        float[] a = acc.toArray();
        int per = a.length / acc.size(0) / mult.length;
        for (int i = 0; i < a.length; i++) { int k = (i / per) % mult.length; a[i] = a[i] * mult[k] + (bias == null ? 0f : bias[k]); }
        return Tensor.fromArray(a, acc.shape());
    }
    public String kernelName() { return "shim"; }
}
