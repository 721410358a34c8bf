package dev.tersor.tensor;

/**
 * One recorded op in the autograd graph: the inputs it read, the tensors it saved for backward
 * (with their storage versions at save time), and its backward rules: the one a first-order pass
 * runs, and the one a create-graph pass runs (recording, so that it can be differentiated again;
 * the same rule when the backward is written with tensor ops, null when the op has no
 * differentiable backward). Freed after backward unless the graph is retained.
 */
final class Node {

    /** Gradients with respect to each input, given the gradient of the output. */
    @FunctionalInterface
    interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }

    final String op;
    /** The {@link BackwardProfile} scope the op was recorded in, or null when no profile was open. */
    final String scope = BackwardProfile.currentScope();
    Tensor[] inputs;
    private Tensor[] saved;
    private int[] savedVersions;
    private Backward backward;
    private Backward graphBackward;

    Node(String op, Tensor[] inputs, Tensor[] saved, Backward backward, Backward graphBackward) {
        this.op = op;
        this.inputs = inputs;
        this.saved = saved;
        this.savedVersions = new int[saved.length];
        for (int i = 0; i < saved.length; i++) savedVersions[i] = saved[i].storage.version();
        this.backward = backward;
        this.graphBackward = graphBackward;
    }

    /**
     * The gradients of the inputs; with {@code createGraph} from the differentiable rule (the
     * caller has turned recording on), failing when the op has none.
     */
    Tensor[] run(Tensor gradOutput, boolean createGraph) {
        if (backward == null) {
            throw new IllegalStateException("backward through " + op + " a second time: the graph was freed by the"
                    + " first backward; call backward(grad, true) to retain it");
        }
        for (int i = 0; i < saved.length; i++) {
            int now = saved[i].storage.version();
            if (now != savedVersions[i]) {
                throw new IllegalStateException("a tensor of shape " + Shape.str(saved[i].shape) + " that " + op
                        + " saved for backward was modified in place (version " + now + ", expected "
                        + savedVersions[i] + "); clone it before changing it, or change it after backward");
            }
        }
        Backward rule = backward;
        if (createGraph) {
            rule = graphBackward;
            if (rule == null) {
                throw new IllegalStateException("double backward is not supported through " + op + ": its backward is"
                        + " computed by raw kernels and records no graph; use a first-order pass (Gradients.of,"
                        + " backward()) or finite differences");
            }
        }
        long start = scope == null ? 0 : System.nanoTime();
        Tensor[] grads = rule.apply(gradOutput);
        if (scope != null) BackwardProfile.add(scope, System.nanoTime() - start);
        if (grads.length != inputs.length) {
            throw new IllegalStateException(op + ": backward returned " + grads.length + " gradients for "
                    + inputs.length + " inputs");
        }
        for (int i = 0; i < grads.length; i++) {
            if (grads[i] != null && !java.util.Arrays.equals(grads[i].shape, inputs[i].shape)) {
                throw new IllegalStateException(op + ": backward gave a gradient of shape " + Shape.str(grads[i].shape)
                        + " for input " + i + " of shape " + Shape.str(inputs[i].shape));
            }
        }
        return grads;
    }

    /** True once {@link #free()} ran: running it again fails. */
    boolean isFreed() {
        return backward == null;
    }

    /**
     * Drops the backward rule, the saved tensors and the links to the inputs, so a graph that
     * has been backpropagated holds no activations even while its output is still referenced.
     */
    void free() {
        backward = null;
        graphBackward = null;
        saved = new Tensor[0];
        savedVersions = new int[0];
        inputs = new Tensor[0];
    }
}
