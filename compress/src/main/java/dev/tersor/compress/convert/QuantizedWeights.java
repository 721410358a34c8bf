package dev.tersor.compress.convert;

import dev.tersor.compress.io.LayerCodec;
import dev.tersor.compress.io.PackedInts;
import dev.tersor.compress.quant.QParams;
import dev.tersor.compress.quant.QuantLayer;
import dev.tersor.nn.io.DType;
import dev.tersor.nn.io.SafetensorsFile;
import dev.tersor.nn.io.SafetensorsWriter;
import dev.tersor.tensor.Tensor;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The integer form of a layer's weights: one signed integer per weight (stored in a byte), the
 * per-output-channel scales, the integer range and its bit width, and the layer's float bias.
 * In the file, 8-bit weights are an I8 tensor of the weight's shape; 2- to 7-bit weights are a
 * U8 tensor of ⌈n·b/8⌉ bytes of packed b-bit two's-complement fields ({@link PackedInts}).
 */
final class QuantizedWeights implements PackedWeights {
    /** The integers row-major over {@link #shape}: an array, or unpacked from the kernel that holds them. */
    private final Supplier<byte[]> values;
    private final int[] shape;
    private final QParams qparams;
    private final int bits;
    private final float[] bias;
    private final int count;

    QuantizedWeights(byte[] values, int[] shape, QParams qparams, int bits, float[] bias) {
        this(() -> values, values.length, shape, qparams, bits, bias);
    }

    private QuantizedWeights(Supplier<byte[]> values, int count, int[] shape, QParams qparams, int bits, float[] bias) {
        this.values = values;
        this.count = count;
        this.shape = shape;
        this.qparams = qparams;
        this.bits = bits;
        this.bias = bias;
    }

    /**
     * The same weights, read from now on from {@code kernelWeights} (an integer kernel's unpacking
     * of its own copy), so that a layer holds its weights once.
     */
    QuantizedWeights heldBy(Supplier<byte[]> kernelWeights) {
        return new QuantizedWeights(kernelWeights, count, shape, qparams, bits, bias);
    }

    /** The integers, row-major over the shape (not a copy when read from an array: do not modify). */
    byte[] values() {
        return values.get();
    }

    @Override
    public int[] shape() {
        return shape;
    }

    /** The per-channel scales and integer range. */
    QParams qparams() {
        return qparams;
    }

    @Override
    public int bits() {
        return bits;
    }

    @Override
    public float[] bias() {
        return bias;
    }

    /** Quantizes the weights of {@code layer} with its weight parameters (zero points must be 0). */
    static QuantizedWeights of(QuantLayer layer) {
        QParams qp = layer.weightQParams();
        Tensor w = layer.weight().contiguous();
        int channels = w.size(0), per = w.numel() / channels;
        if (qp.channels() != 1 && qp.channels() != channels) {
            throw new IllegalArgumentException("weight has " + channels + " output channels but " + qp.channels() + " scales");
        }
        if (qp.qmin() < -128 || qp.qmax() > 127) {
            throw new IllegalArgumentException("weight range [" + qp.qmin() + ", " + qp.qmax() + "] does not fit int8");
        }
        for (int c = 0; c < qp.channels(); c++) {
            if (qp.zeroPoint(c) != 0) throw new IllegalArgumentException("weights must be symmetric (zero point 0), channel " + c + " has " + qp.zeroPoint(c));
        }
        float[] v = w.toArray();
        byte[] q = new byte[v.length];
        for (int i = 0; i < v.length; i++) q[i] = (byte) qp.quantize(v[i], i / per);
        Tensor b = layer.bias();
        return new QuantizedWeights(q, w.shape(), perChannel(qp, channels), bitsOf(qp.qmin(), qp.qmax()), b == null ? null : b.contiguous().toArray());
    }

    /** One scale per channel (a per-tensor scale repeated), so kernels and files see one layout. */
    private static QParams perChannel(QParams qp, int channels) {
        float[] s = new float[channels];
        for (int c = 0; c < channels; c++) s[c] = qp.scale(c);
        return new QParams(s, new int[channels], qp.qmin(), qp.qmax());
    }

    /** The fewest bits of a two's-complement range holding [qmin, qmax]. */
    static int bitsOf(int qmin, int qmax) {
        int b = 2;
        while (qmin < -(1 << (b - 1)) || qmax > (1 << (b - 1)) - 1) b++;
        return b;
    }

    @Override
    public String kind() {
        return Int8Codec.KIND;
    }

    /** The weights as floats, {@code (q − 0)·scale[c]}. */
    @Override
    public Tensor dequantized() {
        byte[] q = values();
        int per = q.length / shape[0];
        float[] out = new float[q.length];
        for (int i = 0; i < q.length; i++) out[i] = qparams.dequantize(q[i], i / per);
        return Tensor.fromArray(out, shape);
    }

    @Override
    public long count() {
        return count;
    }

    /** The bits of the weight tensor, its scales and its bias as stored. */
    @Override
    public long storedBits() {
        long weightBytes = bits == 8 ? count : PackedInts.packedLength(count, bits);
        return 8 * (weightBytes + 4L * shape[0] + (bias == null ? 0 : 4L * bias.length));
    }

    @Override
    public Map<String, String> scheme() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("wbits", Integer.toString(bits));
        m.put("wrange", qparams.qmin() + "," + qparams.qmax());
        return m;
    }

    @Override
    public void write(String prefix, SafetensorsWriter w) {
        if (bits == 8) {
            w.add(prefix + "weight_q", DType.I8, shape, out -> out.write(values()));
        } else {
            byte[] q = values();
            int[] ints = new int[q.length];
            for (int i = 0; i < q.length; i++) ints[i] = q[i];
            byte[] packed = PackedInts.pack(ints, bits, true);
            w.add(prefix + "weight_q", DType.U8, new int[] {packed.length}, out -> out.write(packed));
        }
        float[] s = new float[shape[0]];
        for (int c = 0; c < s.length; c++) s[c] = qparams.scale(c);
        w.add(prefix + "weight_scale", Tensor.fromArray(s, s.length));
        if (bias != null) w.add(prefix + "bias", Tensor.fromArray(bias, bias.length));
    }

    /** Reads weights of the architecture's {@code shape} (with a bias when {@code hasBias}) back. */
    static QuantizedWeights read(Map<String, String> scheme, LayerCodec.LayerTensors t, int[] shape, boolean hasBias) {
        int bits = Schemes.intIn(t, scheme, "wbits", 2, 8);
        int[] range = Schemes.ints(t, scheme, "wrange", 2);
        if (range[0] < -(1 << (bits - 1)) || range[1] > (1 << (bits - 1)) - 1 || range[0] >= range[1]) {
            throw t.error("wrange " + Arrays.toString(range) + " does not fit " + bits + " signed bits");
        }
        int n = 1;
        for (int d : shape) n = Math.multiplyExact(n, d);
        SafetensorsFile f = t.file();
        String wq = t.require("weight_q");
        byte[] values = new byte[n];
        if (bits == 8) {
            expect(t, f, wq, DType.I8, shape);
            f.bytes(wq).get(values);
        } else {
            expect(t, f, wq, DType.U8, new int[] {PackedInts.packedLength(n, bits)});
            ByteBuffer b = f.bytes(wq);
            byte[] packed = new byte[b.remaining()];
            b.get(packed);
            int[] ints = PackedInts.unpack(packed, 0, n, bits, true);
            for (int i = 0; i < n; i++) values[i] = (byte) ints[i];
        }
        for (int i = 0; i < n; i++) {
            if (values[i] < range[0] || values[i] > range[1]) throw t.error("weight " + i + " = " + values[i] + " is outside wrange " + Arrays.toString(range));
        }
        String ws = t.require("weight_scale");
        expect(t, f, ws, DType.F32, new int[] {shape[0]});
        float[] scales = f.tensor(ws).toArray();
        QParams qp;
        try {
            qp = new QParams(scales, new int[shape[0]], range[0], range[1]);
        } catch (IllegalArgumentException e) {
            throw t.error("weight_scale: " + e.getMessage());
        }
        float[] bias = null;
        if (hasBias || t.has("bias")) {   // a layer with a batch norm folded in has a bias the architecture's lacks
            String bn = t.require("bias");
            expect(t, f, bn, DType.F32, new int[] {shape[0]});
            bias = f.tensor(bn).toArray();
        }
        return new QuantizedWeights(values, shape.clone(), qp, bits, bias);
    }

    private static void expect(LayerCodec.LayerTensors t, SafetensorsFile f, String name, DType dtype, int[] shape) {
        if (f.dtype(name) != dtype || !Arrays.equals(f.shape(name), shape)) {
            throw t.error("tensor " + name + " is " + f.dtype(name) + " " + Arrays.toString(f.shape(name)) + ", expected "
                    + dtype + " " + Arrays.toString(shape));
        }
    }
}
