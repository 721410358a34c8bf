package dev.tersor.search;

import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.data.Batch;
import dev.tersor.nn.train.LossFunction;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The gradient DARTS steps the architecture parameters α with (its {@code Architect}), left in
 * α's {@code grad}. First order: ∇α L_val(w, α). Second order (the "unrolled" model):
 * <pre>
 * w'  = w − ξ·(μ·m + ∇w L_train(w, α) + λ·w)        one virtual SGD step (m: momentum buffer)
 * g   = ∇α L_val(w', α) − ξ · ∇²_{α,w} L_train(w, α) · ∇w' L_val(w', α)
 * ∇²_{α,w} L · v ≈ (∇α L(w + εv, α) − ∇α L(w − εv, α)) / 2ε,   ε = 0.01 / ‖v‖
 * </pre>
 * as in {@code architect.py} of the DARTS code (ξ the weights' current learning rate, μ and λ
 * their momentum and weight decay). The weights end as they began (bit for bit); their
 * gradients and the batch-norm statistics do not (the extra forwards run in training mode, as
 * in the original).
 */
final class ArchitectGradient {
    /** The weights' SGD step the virtual step copies: learning rate ξ, momentum μ, weight decay λ, and momentum buffers (null: none yet). */
    record VirtualStep(double lr, double momentum, double weightDecay, List<Tensor> momentumBuffers) {
    }

    private ArchitectGradient() {
    }

    /** Leaves ∇α L_val(w, α) in the architecture parameters' gradients. */
    static void firstOrder(Module net, Batch val, LossFunction loss) {
        zeroGrads(net);
        loss.apply(net.call(val.inputs()), val.labels()).backward();
    }

    /** Leaves the unrolled gradient in the architecture parameters' gradients. */
    static void secondOrder(Module net, List<Parameter> weights, List<Parameter> arch, Batch train, Batch val, LossFunction loss, VirtualStep step) {
        List<Tensor> w = values(weights);
        List<Tensor> gTrain = gradients(net, weights, loss, train);
        List<Tensor> unrolled = new ArrayList<>();
        try (var ignored = Tensor.noGrad()) {
            for (int i = 0; i < w.size(); i++) {
                Tensor d = gTrain.get(i).add(w.get(i).mul((float) step.weightDecay()));
                if (step.momentumBuffers() != null && step.momentumBuffers().get(i) != null) d = d.add(step.momentumBuffers().get(i).mul((float) step.momentum()));
                unrolled.add(w.get(i).sub(d.mul((float) step.lr())));
            }
        }
        set(weights, unrolled);
        zeroGrads(net);
        loss.apply(net.call(val.inputs()), val.labels()).backward();
        List<Tensor> dAlpha = grads(arch), v = grads(weights);
        set(weights, w);
        List<Tensor> hv = hessianVector(net, weights, arch, v, train, loss, 0.01);
        zeroGrads(net);
        try (var ignored = Tensor.noGrad()) {
            for (int i = 0; i < arch.size(); i++) arch.get(i).value().backward(dAlpha.get(i).sub(hv.get(i).mul((float) step.lr())));
        }
    }

    /**
     * The finite-difference product ∇²_{α,w} L(w, α) · v with ε = {@code scale} / ‖v‖ (‖v‖ over all
     * weights; DARTS: scale 0.01), one tensor per architecture parameter; the weights end as they
     * began. In a network with ReLUs the gradient jumps where a unit changes sign, and a jump
     * inside ±ε adds an error of order jump / ε: rare, but not smaller for smaller ε.
     */
    static List<Tensor> hessianVector(Module net, List<Parameter> weights, List<Parameter> arch, List<Tensor> v, Batch batch, LossFunction loss, double scale) {
        double norm = 0;
        for (Tensor t : v) norm += t.mul(t).sum().item();
        norm = Math.sqrt(norm);
        if (!(norm > 0)) {
            List<Tensor> zeros = new ArrayList<>();
            for (Parameter p : arch) zeros.add(Tensor.zeros(p.shape()));
            return zeros;
        }
        float eps = (float) (scale / norm);
        List<Tensor> w = values(weights);
        set(weights, shifted(w, v, eps));
        List<Tensor> plus = gradients(net, arch, loss, batch);
        set(weights, shifted(w, v, -eps));
        List<Tensor> minus = gradients(net, arch, loss, batch);
        set(weights, w);
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < arch.size(); i++) out.add(plus.get(i).sub(minus.get(i)).div(Tensor.scalar(2 * eps)));
        return out;
    }

    /** ∇ of the loss on {@code batch} for {@code params} (zeros where a parameter gets none); every gradient of {@code net} is cleared first. */
    static List<Tensor> gradients(Module net, List<Parameter> params, LossFunction loss, Batch batch) {
        zeroGrads(net);
        loss.apply(net.call(batch.inputs()), batch.labels()).backward();
        return grads(params);
    }

    private static List<Tensor> grads(List<Parameter> params) {
        List<Tensor> out = new ArrayList<>();
        for (Parameter p : params) out.add(p.grad() == null ? Tensor.zeros(p.shape()) : p.grad().copy());
        return out;
    }

    private static List<Tensor> values(List<Parameter> params) {
        List<Tensor> out = new ArrayList<>();
        try (var ignored = Tensor.noGrad()) {
            for (Parameter p : params) out.add(p.value().copy());
        }
        return out;
    }

    private static List<Tensor> shifted(List<Tensor> w, List<Tensor> v, float by) {
        List<Tensor> out = new ArrayList<>();
        try (var ignored = Tensor.noGrad()) {
            for (int i = 0; i < w.size(); i++) out.add(w.get(i).add(v.get(i).mul(by)));
        }
        return out;
    }

    private static void set(List<Parameter> params, List<Tensor> values) {
        try (var ignored = Tensor.noGrad()) {
            for (int i = 0; i < params.size(); i++) params.get(i).value().copyInPlace(values.get(i));
        }
    }

    private static void zeroGrads(Module net) {
        for (Parameter p : net.parameters()) p.zeroGrad();
    }
}
