package dev.tersor.nn.train;

import dev.tersor.nn.Module;
import dev.tersor.nn.data.Batch;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;

/**
 * Classification accuracy (and optionally a mean loss) of a model on a loader, in eval mode
 * without recording gradients.
 *
 * @param correct samples whose arg-max output equals the label
 * @param total   samples seen
 * @param loss    the loss averaged over samples ({@link #of(Module, DataLoader, LossFunction)}), NaN when not computed
 */
public record Evaluation(int correct, int total, double loss) {

    /** An evaluation without a loss. */
    public Evaluation(int correct, int total) {
        this(correct, total, Double.NaN);
    }

    /** {@code correct / total}, in [0, 1]. */
    public double accuracy() {
        return total == 0 ? 0 : (double) correct / total;
    }

    /** Evaluates {@code model} on every batch of {@code loader}; restores training mode afterwards if it was on. */
    public static Evaluation of(Module model, DataLoader loader) {
        return of(model, loader, null);
    }

    /**
     * The same, also averaging {@code loss} (a batch mean, e.g. cross entropy) over the samples,
     * each batch weighted by its size; {@code loss} null computes none.
     */
    public static Evaluation of(Module model, DataLoader loader, LossFunction loss) {
        boolean wasTraining = model.isTraining();
        model.eval();
        int correct = 0, total = 0;
        double lossSum = 0;
        try (var g = Tensor.noGrad()) {
            for (Batch b : loader) {
                Tensor out = model.call(b.inputs());
                IntTensor predicted = out.argmax(1, false);
                correct += predicted.countEqual(b.labels());
                total += b.size();
                if (loss != null) lossSum += (double) loss.apply(out, b.labels()).item() * b.size();
            }
        } finally {
            if (wasTraining) model.train();
        }
        return new Evaluation(correct, total, loss == null || total == 0 ? Double.NaN : lossSum / total);
    }
}
