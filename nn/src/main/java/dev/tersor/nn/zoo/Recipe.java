package dev.tersor.nn.zoo;

/**
 * A model's default training recipe: what {@code tersor train} uses for flags left out.
 *
 * @param optimizer   "sgd", "adam" or "adamw"
 * @param lr          base learning rate
 * @param momentum    SGD momentum (ignored by Adam)
 * @param weightDecay L2 penalty on all parameters
 * @param schedule    "cosine" (stepped every iteration), "step" or "none"
 * @param epochs      epochs
 * @param batch       batch size (the last partial batch is dropped)
 */
public record Recipe(String optimizer, double lr, double momentum, double weightDecay, String schedule, int epochs, int batch) {
    public Recipe {
        if (!java.util.Set.of("sgd", "adam", "adamw").contains(optimizer)) {
            throw new IllegalArgumentException("optimizer must be sgd, adam or adamw, got '" + optimizer + "'");
        }
        if (!java.util.Set.of("cosine", "step", "none").contains(schedule)) {
            throw new IllegalArgumentException("schedule must be cosine, step or none, got '" + schedule + "'");
        }
        if (!(lr > 0) || momentum < 0 || weightDecay < 0 || epochs < 1 || batch < 1) {
            throw new IllegalArgumentException("invalid recipe: lr=" + lr + ", momentum=" + momentum + ", weightDecay="
                    + weightDecay + ", epochs=" + epochs + ", batch=" + batch);
        }
    }

    @Override
    public String toString() {
        return optimizer + " lr=" + lr + (optimizer.equals("sgd") ? " momentum=" + momentum : "") + " weight_decay="
                + weightDecay + " schedule=" + schedule + " epochs=" + epochs + " batch=" + batch;
    }
}
