package dev.tersor.tensor;

/**
 * Gradients of an output with respect to chosen tensors, returned rather than accumulated (as
 * {@code torch.autograd.grad}): no tensor's {@link Tensor#grad()} is read or written.
 *
 * <pre>{@code
 * Tensor w = Tensor.randn(new Generator(0), 3).requiresGrad(true);
 * Tensor loss = w.pow(3f).sum();                          // L = Σ w³
 * Tensor[] g = Gradients.withGraph(loss, w);              // g = 3w², itself recorded
 * Tensor v = Tensor.ones(3);
 * Tensor hv = Gradients.of(g[0].mul(v).sum(), w)[0];      // H·v = 6w·v (Hessian-vector product)
 * }</pre>
 *
 * <p>Semantics, for {@code output} and inputs {@code x_1 .. x_k}:
 * <ul>
 *   <li>an input may be any tensor that requires grad, leaf or not; its gradient is the total
 *       gradient arriving at it (the pass stops there unless another input lies further back);
 *   <li>an input that {@code output} does not depend on gets <b>zeros of its shape</b> (PyTorch
 *       would fail unless {@code allow_unused}, and then give None);
 *   <li>an input that does not require grad is an {@link IllegalArgumentException} naming its
 *       index and shape; an output that does not require grad is an {@link IllegalStateException},
 *       and a non-scalar output without {@code gradOutput} an {@link IllegalArgumentException}, as
 *       in {@link Tensor#backward()};
 *   <li>with {@code createGraph} the backward pass is itself recorded, so the gradients require
 *       grad where they depend on something that does, and can be differentiated again. An op
 *       whose backward cannot be recorded fails the pass with an {@link IllegalStateException}
 *       "double backward is not supported through &lt;op&gt;" rather than give a wrong second
 *       derivative (user {@link Function}s opt in with {@link Function#differentiableBackward()}).
 * </ul>
 * First-order gradients are bit for bit those {@link Tensor#backward()} accumulates.
 */
public final class Gradients {
    private Gradients() {
    }

    /**
     * {@code ∂output/∂input_i} for each input, from a one-element {@code output}; frees the graph
     * it ran through, as {@link Tensor#backward()} does.
     */
    public static Tensor[] of(Tensor output, Tensor... inputs) {
        return compute(output, null, false, false, inputs);
    }

    /**
     * {@code ∂output/∂input_i} with the backward pass recorded and the graph kept: the result can
     * be differentiated again ({@code Gradients.of(g[0].mul(v).sum(), w)} is a Hessian-vector
     * product).
     */
    public static Tensor[] withGraph(Tensor output, Tensor... inputs) {
        return compute(output, null, true, true, inputs);
    }

    /**
     * The general form: the vector-Jacobian products {@code gradOutputᵀ·∂output/∂input_i}.
     *
     * @param gradOutput  shaped like {@code output}, or null for a one-element output (then 1)
     * @param createGraph record the backward pass so the gradients can be differentiated again
     * @param retainGraph keep the graph for another pass (a create-graph pass usually wants it)
     * @return one gradient per input, shaped like it (zeros where {@code output} does not depend on it)
     */
    public static Tensor[] compute(Tensor output, Tensor gradOutput, boolean createGraph, boolean retainGraph,
                                   Tensor... inputs) {
        if (output == null) throw new IllegalArgumentException("Gradients: output is null");
        if (inputs == null || inputs.length == 0) throw new IllegalArgumentException("Gradients: no inputs given");
        return Autograd.grad(output, gradOutput, createGraph, retainGraph, inputs.clone());
    }
}
