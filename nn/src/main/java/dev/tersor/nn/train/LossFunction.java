package dev.tersor.nn.train;

import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;

/** A classification loss of model outputs [N, C] against labels [N], e.g. {@code Losses::crossEntropy}. */
@FunctionalInterface
public interface LossFunction {
    Tensor apply(Tensor outputs, IntTensor labels);
}
