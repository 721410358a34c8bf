package dev.tersor.tensor.lowbit;

public record Int8Input(float scale, int zeroPoint, int qmin, int qmax) {
    float[] quantizeCentered(float[] x) {
        float inv = 1f / scale;
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) out[i] = Math.max(qmin, Math.min(qmax, (float) Math.rint(x[i] * inv) + zeroPoint)) - zeroPoint;
        return out;
    }
}
