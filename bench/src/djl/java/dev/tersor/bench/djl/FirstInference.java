package dev.tersor.bench.djl;

import java.util.Locale;

/**
 * A fresh JVM's first inference: {@code FirstInference tersor|djl} builds LeNet-5 (Tersor's zoo
 * model, or {@link DjlNets#lenet5} on DJL's PyTorch engine), runs one forward of a blank
 * [1, 1, 28, 28] image and prints {@code first-inference: NAME class K}. {@link SideBySide} times
 * process start to that line; nothing else is printed to stdout before it.
 */
public final class FirstInference {

    private FirstInference() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1 || !(args[0].equals("tersor") || args[0].equals("djl"))) {
            System.err.println("usage: FirstInference tersor|djl");
            System.exit(2);
        }
        float[] logits = args[0].equals("tersor") ? TersorWorkload.firstInference() : DjlWorkload.firstInference();
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        System.out.println(String.format(Locale.ROOT, "first-inference: %s class %d of %d", args[0], best, logits.length));
        System.out.flush();
    }
}
