package dev.tersor.compress.convert;

import dev.tersor.compress.quant.QParams;
import dev.tersor.tensor.lowbit.Int8Input;
import java.util.Map;

/** What the integer convolution and linear layers share: input parameters and their scheme entries. */
final class Int8Layers {
    private Int8Layers() {
    }

    static Int8Input input(QParams p) {
        if (p.isPerChannel()) throw new IllegalArgumentException("input quantization must be per tensor, got " + p.channels() + " scales");
        return new Int8Input(p.scale(0), p.zeroPoint(0), p.qmin(), p.qmax());
    }

    /** Bits of an input range: ⌈log₂(qmax − qmin + 1)⌉. */
    static int bits(QParams p) {
        return 32 - Integer.numberOfLeadingZeros(p.qmax() - p.qmin());
    }

    static Map<String, String> scheme(PackedWeights w, QParams input) {
        Map<String, String> m = w.scheme();
        if (input != null) {
            m.put("abits", Integer.toString(bits(input)));
            m.put("input", Schemes.input(input));
        }
        return m;
    }
}
