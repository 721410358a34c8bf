package dev.tersor.nn.train;

import dev.tersor.nn.Module;
import dev.tersor.nn.data.Batch;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;

/**
 * Classification accuracy of a model on a loader, in eval mode without recording gradients.
 *
 * @param correct samples whose arg-max output equals the label
 * @param total   samples seen
 */
public record Evaluation(int correct, int total) {

    /** {@code correct / total}, in [0, 1]. */
    public double accuracy() {
        return total == 0 ? 0 : (double) correct / total;
    }

    /** Evaluates {@code model} on every batch of {@code loader}; restores training mode afterwards if it was on. */
    public static Evaluation of(Module model, DataLoader loader) {
        boolean wasTraining = model.isTraining();
        model.eval();
        int correct = 0, total = 0;
        try (var g = Tensor.noGrad()) {
            for (Batch b : loader) {
                IntTensor predicted = model.call(b.inputs()).argmax(1, false);
                correct += predicted.countEqual(b.labels());
                total += b.size();
            }
        } finally {
            if (wasTraining) model.train();
        }
        return new Evaluation(correct, total);
    }
}
