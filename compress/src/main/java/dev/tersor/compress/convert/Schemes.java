package dev.tersor.compress.convert;

import dev.tersor.compress.io.LayerCodec;
import dev.tersor.compress.quant.QParams;
import java.util.Map;

/** Strict parsing of a packed layer's scheme entries (numbers in metadata text). */
final class Schemes {
    private Schemes() {
    }

    static String text(LayerCodec.LayerTensors t, Map<String, String> scheme, String key) {
        String v = scheme.get(key);
        if (v == null) throw t.error("scheme entry '" + key + "' is missing");
        return v;
    }

    static int intIn(LayerCodec.LayerTensors t, Map<String, String> scheme, String key, int lo, int hi) {
        int v = ints(t, scheme, key, 1)[0];
        if (v < lo || v > hi) throw t.error(key + " = " + v + " is outside [" + lo + ", " + hi + "]");
        return v;
    }

    static int[] ints(LayerCodec.LayerTensors t, Map<String, String> scheme, String key, int count) {
        String[] parts = text(t, scheme, key).split(",", -1);
        if (parts.length != count) throw t.error(key + " = \"" + scheme.get(key) + "\" must have " + count + " integers");
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            try {
                out[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                throw t.error(key + " = \"" + scheme.get(key) + "\" is not a list of integers");
            }
        }
        return out;
    }

    /** {@code "scale,zeroPoint,qmin,qmax"}, the scale in Java's shortest round-trip float text. */
    static String input(QParams p) {
        return Float.toString(p.scale(0)) + "," + p.zeroPoint(0) + "," + p.qmin() + "," + p.qmax();
    }

    static QParams input(LayerCodec.LayerTensors t, Map<String, String> scheme, String key) {
        String[] parts = text(t, scheme, key).split(",", -1);
        if (parts.length != 4) throw t.error(key + " = \"" + scheme.get(key) + "\" must be scale,zero_point,qmin,qmax");
        try {
            float s = Float.parseFloat(parts[0].strip());
            int zp = Integer.parseInt(parts[1].strip()), lo = Integer.parseInt(parts[2].strip()), hi = Integer.parseInt(parts[3].strip());
            if (lo < -255 || hi > 255 || hi <= lo || hi - lo > 255) throw t.error(key + ": range [" + lo + ", " + hi + "] is not an 8-bit range");
            return QParams.perTensor(s, zp, lo, hi);
        } catch (NumberFormatException e) {
            throw t.error(key + " = \"" + scheme.get(key) + "\" is not scale,zero_point,qmin,qmax");
        } catch (IllegalArgumentException e) {
            if (e instanceof dev.tersor.nn.io.SafetensorsFormatException) throw e;
            throw t.error(key + ": " + e.getMessage());
        }
    }
}
