package dev.tersor.tensor;

import static dev.tersor.tensor.GradCheck.leaf;
import static dev.tersor.tensor.GradCheck.secondOrder;

import org.junit.jupiter.api.Test;

/**
 * Second derivatives through every op family: Hessian-vector products from a create-graph pass
 * against finite differences of first-order gradients ({@link GradCheck#secondOrder}). Each
 * function is non-linear around the op under test, so the gradient arriving at the op depends
 * on the inputs and the op's own backward must be differentiable.
 */
class SecondOrderTest {

    /** Values 1/16 apart in random order, shifted: no ties within a finite difference's reach. */
    static Tensor distinct(long seed, float shift, int... shape) {
        int n = Shape.numel(shape);
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = (i - (n - 1) / 2f) / 16f + shift;
        Generator g = new Generator(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = g.nextInt(i + 1);
            float t = d[i];
            d[i] = d[j];
            d[j] = t;
        }
        return Tensor.fromArray(d, shape).requiresGrad(true);
    }

    @Test
    void elementwiseArithmetic() {
        Tensor a = leaf(1, 3, 4), b = leaf(2, 4);
        secondOrder(in -> in[0].mul(in[1]).add(in[0].div(in[1].mul(in[1]).add(1f))).sub(in[1].neg().mul(in[0])), a, b);
    }

    @Test
    void unaryFunctions() {
        Tensor x = leaf(3, 2, 5);
        secondOrder(in -> in[0].exp().add(in[0].sigmoid().mul(in[0].tanh())), x);
        secondOrder(in -> in[0].mul(in[0]).add(1f).log().add(in[0].mul(in[0]).add(0.5f).sqrt()), x);
    }

    @Test
    void geluExactHasItsSecondDerivative() {
        secondOrder(in -> in[0].gelu(), leaf(4, 7));
        secondOrder(in -> in[0].gelu(GeluApproximation.TANH), leaf(4, 7));
    }

    @Test
    void powersScalarAndTensor() {
        Tensor x = Tensor.rand(new Generator(5), 6).add(0.5f).requiresGrad(true);
        Tensor p = Tensor.rand(new Generator(6), 6).add(0.5f).requiresGrad(true);
        secondOrder(in -> in[0].pow(3f).add(in[0].pow(-1.5f)), x);
        secondOrder(in -> in[0].pow(in[1]), x, p);
    }

    @Test
    void selectionOps() {
        Tensor a = leaf(7, 2, 3), b = leaf(8, 2, 3);
        Tensor cond = Tensor.fromArray(new float[] {1, 0, 1, 0, 0, 1}, 2, 3);
        secondOrder(in -> Tensor.where(cond, in[0].mul(in[1]), in[1].exp()).mul(in[0]), a, b);
        secondOrder(in -> in[0].mul(in[0]).maximum(in[1].mul(in[1]).add(0.3f)), a, b);
        secondOrder(in -> in[0].mul(in[0]).clamp(-0.5f, 1.5f).mul(in[1]), a, b);
        // a·b + 0.5 and a + 0.5 stay at least 0.4 from the kinks at 0
        secondOrder(in -> in[0].mul(in[1]).add(0.5f).relu().mul(in[0]), a, b);
        secondOrder(in -> in[0].mul(in[1]).add(0.5f).leakyRelu(0.1f).mul(in[0]).add(in[0].add(0.5f).abs().mul(in[1])), a, b);
    }

    @Test
    void reductions() {
        Tensor x = leaf(9, 3, 4);
        secondOrder(in -> in[0].softmax(1).mul(in[0]), x);
        secondOrder(in -> in[0].logSoftmax(0).mul(in[0]), x);
        secondOrder(in -> in[0].logSumExp(new int[] {1}, false), x);
        secondOrder(in -> in[0].mul(in[0]).sum(0).mul(in[0].mean(0)), x);
        secondOrder(in -> in[0].max(new int[] {1}, true).mul(in[0]), x);
        secondOrder(in -> in[0].var(new int[] {1}, true, false), x);
    }

    @Test
    void stdAndNorms() {
        Tensor x = leaf(10, 3, 4);
        secondOrder(in -> in[0].std(new int[] {1}, false, false), x);
        secondOrder(in -> in[0].norm(2f, new int[] {1}, true).mul(in[0]), x);
        secondOrder(in -> in[0].norm(3f, new int[] {0}, false), x);
    }

    @Test
    void matrixProducts() {
        Tensor a = leaf(11, 2, 3, 4), b = leaf(12, 4, 5), bias = leaf(13, 5);
        secondOrder(in -> in[0].matmul(in[1]).tanh(), a, b);
        secondOrder(in -> Functional.linear(in[0], in[1].transpose(0, 1), in[2]).tanh(), a, b, bias);
    }

    @Test
    void viewsAndJoins() {
        Tensor x = leaf(14, 3, 6), y = leaf(15, 3, 2);
        secondOrder(in -> in[0].slice(1, 1, 6, 2).mul(in[0].narrow(1, 0, 3)), x);
        secondOrder(in -> Tensor.cat(1, in[0], in[1]).pow(2f).permute(1, 0).reshape(2, -1), x, y);
        secondOrder(in -> in[1].pad(new int[] {1, 3}, 0f).mul(in[0]).transpose(0, 1).contiguous().exp(), x, y);
        secondOrder(in -> in[1].sum(new int[] {1}, true).expand(3, 4).mul(in[1].select(1, 0).unsqueeze(1)), x, y);
    }

    @Test
    void conv2dEveryGeometry() {
        Conv2dOptions[] options = {
            Conv2dOptions.of(1, 1),
            Conv2dOptions.of(2, 1),
            Conv2dOptions.DEFAULT.withDilation(2).withPadding(2, 1),
            Conv2dOptions.of(1, 1).withGroups(2),
            Conv2dOptions.of(2, 0).withStride(2, 1),
        };
        for (Conv2dOptions o : options) {
            Tensor x = leaf(16, 2, 4, 6, 5), w = leaf(17, 4, 4 / o.groups(), 3, 3).mul(0.3f).detach().requiresGrad(true);
            Tensor b = leaf(18, 4);
            secondOrder(in -> Functional.conv2d(in[0], in[1], in[2], o).tanh(), x, w, b);
        }
    }

    @Test
    void depthwiseAndPointwiseConv2d() {
        Tensor x = leaf(19, 2, 3, 5, 5), dw = leaf(20, 3, 1, 3, 3), pw = leaf(21, 4, 3, 1, 1);
        secondOrder(in -> Functional.conv2d(Functional.conv2d(in[0], in[1], null, Conv2dOptions.of(1, 1).withGroups(3)).tanh(),
                in[2], null, Conv2dOptions.DEFAULT).tanh(), x, dw, pw);
    }

    @Test
    void convTranspose2d() {
        ConvTranspose2dOptions[] options = {
            ConvTranspose2dOptions.of(1, 1),
            ConvTranspose2dOptions.of(2, 1).withOutputPadding(1),
            ConvTranspose2dOptions.of(2, 0).withGroups(2).withDilation(2, 1),
        };
        for (ConvTranspose2dOptions o : options) {
            Tensor x = leaf(22, 2, 4, 3, 4), w = leaf(23, 4, 3 / 1, 3, 2).mul(0.3f).detach().requiresGrad(true);
            if (o.groups() == 2) w = leaf(23, 4, 2, 3, 2).mul(0.3f).detach().requiresGrad(true);
            Tensor b = leaf(24, o.groups() == 2 ? 4 : 3);
            secondOrder(in -> Functional.convTranspose2d(in[0], in[1], in[2], o).tanh(), x, w, b);
        }
    }

    @Test
    void batchNormTrainingIncludesTheStatistics() {
        Tensor x = leaf(25, 4, 3, 2, 2), gamma = leaf(26, 3), beta = leaf(27, 3);
        secondOrder(in -> Functional.batchNorm(in[0], in[1], in[2], null, null, true, 0.1f, 1e-5f).tanh(),
                1e-2, 5e-3, 3e-2, x, gamma, beta);
        Tensor flat = leaf(28, 6, 4);
        secondOrder(in -> Functional.batchNorm(in[0], null, null, null, null, true, 0.1f, 1e-5f).pow(3f), flat);
    }

    @Test
    void batchNormEval() {
        Tensor x = leaf(29, 3, 2, 4), gamma = leaf(30, 2), beta = leaf(31, 2);
        Tensor mean = Tensor.fromArray(new float[] {0.3f, -0.2f}, 2), var = Tensor.fromArray(new float[] {0.5f, 2f}, 2);
        secondOrder(in -> Functional.batchNorm(in[0], in[1], in[2], mean, var, false, 0.1f, 1e-5f).tanh(), x, gamma, beta);
    }

    @Test
    void averagePools() {
        Tensor x = leaf(32, 2, 2, 5, 6);
        secondOrder(in -> Functional.avgPool2d(in[0].mul(in[0]), Pool2dOptions.of(2)).tanh(), x);
        secondOrder(in -> Functional.avgPool2d(in[0], Pool2dOptions.of(3, 2, 1)).pow(2f), x);
        secondOrder(in -> Functional.adaptiveAvgPool2d(in[0], 2, 3).pow(3f), x);
    }

    @Test
    void maxPoolIsLinearAtTheFixedArgmax() {
        Tensor x = distinct(33, 0f, 2, 2, 4, 6);
        secondOrder(in -> Functional.maxPool2d(in[0], Pool2dOptions.of(2)).pow(2f), x);
        secondOrder(in -> Functional.maxPool2d(in[0].mul(in[0]), Pool2dOptions.of(3, 2, 1)).tanh(),
                distinct(34, 0.6f, 1, 2, 5, 5));
    }

    @Test
    void unfoldAndFold() {
        Tensor x = leaf(35, 2, 2, 4, 5);
        Conv2dOptions o = Conv2dOptions.of(2, 1);
        secondOrder(in -> Functional.unfold(in[0], 3, 2, o).tanh(), x);
        Tensor cols = leaf(36, 1, 2 * 4, 6);
        secondOrder(in -> Functional.fold(in[0], 3, 4, 2, 1, 0, 1).pow(3f), cols);
    }

    @Test
    void resamplingAndIndexing() {
        Tensor x = leaf(37, 1, 2, 3, 4);
        secondOrder(in -> Functional.interpolate(in[0], 5, 7, InterpolationMode.BILINEAR, false).tanh(), x);
        secondOrder(in -> Functional.interpolate(in[0], 2.0, InterpolationMode.NEAREST, false).pow(3f), x);
        Tensor t = leaf(38, 3, 4);
        IntTensor idx = IntTensor.of(new int[] {2, 0, 2, 1, 1, 0}, 3, 2);
        secondOrder(in -> Functional.gather(in[0], 1, idx).pow(3f), t);
        secondOrder(in -> Functional.indexSelect(in[0], 0, IntTensor.of(new int[] {2, 2, 0}, 3)).tanh(), t);
    }
}
