package dev.tersor.nn.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Gradients;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Pool2dOptions;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.testing.Fixtures;
import org.junit.jupiter.api.Test;

/**
 * Exact double backward through a tiny conv net against PyTorch 1.13's
 * {@code torch.autograd.grad(..., create_graph=True)} (fixture written by
 * nn/src/test/resources/fixtures/generate_double_backward.py): grouped conv, batch norm with
 * batch statistics, ReLU, average and max pooling, linear and label-smoothed cross entropy.
 */
class DoubleBackwardFixtureTest {
    private static final Fixtures F = Fixtures.load("double_backward.safetensors");
    private static final String[] NAMES = {"conv_weight", "conv_bias", "bn_weight", "bn_bias", "fc_weight", "fc_bias"};

    private static Tensor tensor(String name) {
        return Tensor.fromArray(F.data(0, name), F.shape(0, name));
    }

    private static Tensor loss(Tensor x, IntTensor labels, Tensor[] p) {
        Tensor h = Functional.conv2d(x, p[0], p[1], Conv2dOptions.of(1, 1).withGroups(2));
        h = Functional.batchNorm(h, p[2], p[3], null, null, true, 0.1f, 1e-5f).relu();
        h = Functional.maxPool2d(Functional.avgPool2d(h, 2), Pool2dOptions.of(2, 1, 0));
        Tensor logits = Functional.linear(h.flatten(1, -1), p[4], p[5]);
        return Losses.crossEntropy(logits, labels, 0.1f, Reduction.MEAN);
    }

    @Test
    void hessianVectorProductMatchesPyTorch() {
        Tensor x = tensor("input");
        float[] lf = F.data(0, "labels");
        int[] l = new int[lf.length];
        for (int i = 0; i < l.length; i++) l[i] = (int) lf[i];
        IntTensor labels = IntTensor.of(l, l.length);
        Tensor[] p = new Tensor[NAMES.length];
        for (int k = 0; k < p.length; k++) p[k] = tensor(NAMES[k]).requiresGrad(true);

        Tensor loss = loss(x, labels, p);
        assertEquals(F.data(0, "loss")[0], loss.item(), 1e-5);
        Tensor[] g = Gradients.withGraph(loss, p);
        Tensor dot = null;
        for (int k = 0; k < p.length; k++) {
            Fixtures.assertClose(F.data(0, "grad_" + NAMES[k]), g[k].toArray(), 1e-6, 1e-4, "gradient of " + NAMES[k]);
            Tensor term = g[k].mul(tensor("v_" + NAMES[k])).sum();
            dot = dot == null ? term : dot.add(term);
        }
        Tensor[] hv = Gradients.of(dot, p);
        double scale = 0;   // the HVP's largest element: conv_bias, cancelled by the batch norm, has ~0 in both
        for (String name : NAMES) for (float v : F.data(0, "hvp_" + name)) scale = Math.max(scale, Math.abs(v));
        for (int k = 0; k < p.length; k++) {
            Fixtures.assertClose(F.data(0, "hvp_" + NAMES[k]), hv[k].toArray(), 1e-4 * scale, 1e-4,
                    "Hessian-vector product of " + NAMES[k]);
        }
        assertNull(p[0].grad(), "Gradients leaves grad() alone");
    }
}
