package dev.tersor.compress.convert;

import dev.tersor.compress.cluster.ClusteredLayer;
import dev.tersor.compress.io.LayerCodec;
import dev.tersor.compress.io.PackedInts;
import dev.tersor.nn.io.DType;
import dev.tersor.nn.io.SafetensorsFile;
import dev.tersor.nn.io.SafetensorsWriter;
import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Tensor;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Weights as indices into k ≤ 2^b shared centres (weight clustering, DP-Net; discrete searched
 * weights, SLB): in the file a {@code centres} F32 [k] tensor, an {@code indices} U8 tensor of
 * ⌈n·b/8⌉ bytes of packed unsigned b-bit fields ({@link PackedInts}) and the float bias.
 */
record CodebookWeights(float[] centres, int[] indices, int[] shape, int bits, float[] bias) implements PackedWeights {
    /** The kind codebook layers are written as. */
    static final String KIND = "codebook";

    CodebookWeights {
        if (bits < 1 || bits > 8) throw new IllegalArgumentException("codebook: bits must be 1..8, got " + bits);
        if (centres.length == 0 || centres.length > (1 << bits)) {
            throw new IllegalArgumentException("codebook: " + centres.length + " centres do not fit " + bits + " bits");
        }
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= centres.length) {
                throw new IllegalArgumentException("codebook: index " + i + " = " + indices[i] + " is outside [0, " + centres.length + ")");
            }
        }
    }

    /** The current centres and assignment of a clustered layer. */
    static CodebookWeights of(ClusteredLayer layer) {
        Parameter b = layer.bias();
        return new CodebookWeights(layer.centres().value().contiguous().toArray(), layer.indices(), layer.weightShape(), layer.bits(),
                b == null ? null : b.value().contiguous().toArray());
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public long count() {
        return indices.length;
    }

    @Override
    public Tensor dequantized() {
        float[] w = new float[indices.length];
        for (int i = 0; i < w.length; i++) w[i] = centres[indices[i]];
        return Tensor.fromArray(w, shape);
    }

    @Override
    public Map<String, String> scheme() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("wbits", Integer.toString(bits));
        return m;
    }

    @Override
    public void write(String prefix, SafetensorsWriter w) {
        w.add(prefix + "centres", Tensor.fromArray(centres.clone(), centres.length));
        byte[] packed = PackedInts.pack(indices, bits, false);
        w.add(prefix + "indices", DType.U8, new int[] {packed.length}, out -> out.write(packed));
        if (bias != null) w.add(prefix + "bias", Tensor.fromArray(bias.clone(), bias.length));
    }

    @Override
    public long storedBits() {
        return 8L * (4L * centres.length + PackedInts.packedLength(indices.length, bits) + (bias == null ? 0 : 4L * bias.length));
    }

    /** Reads codebook weights of the architecture's {@code shape} (with a bias when {@code hasBias}). */
    static CodebookWeights read(Map<String, String> scheme, LayerCodec.LayerTensors t, int[] shape, boolean hasBias) {
        int bits = Schemes.intIn(t, scheme, "wbits", 1, 8);
        int n = 1;
        for (int d : shape) n = Math.multiplyExact(n, d);
        SafetensorsFile f = t.file();
        String c = t.require("centres");
        if (f.dtype(c) != DType.F32 || f.shape(c).length != 1 || f.shape(c)[0] < 1 || f.shape(c)[0] > (1 << bits)) {
            throw t.error("tensor " + c + " is " + f.dtype(c) + " " + Arrays.toString(f.shape(c)) + ", expected F32 [k] with 1 <= k <= " + (1 << bits));
        }
        float[] centres = f.tensor(c).toArray();
        for (float v : centres) if (!Float.isFinite(v)) throw t.error("centre " + v + " is not finite");
        String ix = t.require("indices");
        int bytes = PackedInts.packedLength(n, bits);
        if (f.dtype(ix) != DType.U8 || !Arrays.equals(f.shape(ix), new int[] {bytes})) {
            throw t.error("tensor " + ix + " is " + f.dtype(ix) + " " + Arrays.toString(f.shape(ix)) + ", expected U8 [" + bytes + "]");
        }
        ByteBuffer buf = f.bytes(ix);
        byte[] packed = new byte[buf.remaining()];
        buf.get(packed);
        int[] indices = PackedInts.unpack(packed, 0, n, bits, false);
        float[] bias = null;
        if (hasBias || t.has("bias")) {   // a layer with a batch norm folded in has a bias the architecture's lacks
            String bn = t.require("bias");
            if (f.dtype(bn) != DType.F32 || !Arrays.equals(f.shape(bn), new int[] {shape[0]})) {
                throw t.error("tensor " + bn + " is " + f.dtype(bn) + " " + Arrays.toString(f.shape(bn)) + ", expected F32 [" + shape[0] + "]");
            }
            bias = f.tensor(bn).toArray();
        }
        try {
            return new CodebookWeights(centres, indices, shape.clone(), bits, bias);
        } catch (IllegalArgumentException e) {
            throw t.error(e.getMessage());
        }
    }
}
