package dev.tersor.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records ops into the graph and runs reverse-mode accumulation over it: one pass, used by
 * {@link Tensor#backward()} (every leaf that requires grad accumulates into its {@code grad()})
 * and by {@link Gradients} (the gradients arriving at chosen tensors are handed back, nothing is
 * accumulated, and only the part of the graph leading to those tensors runs).
 */
final class Autograd {
    private Autograd() {
    }

    /**
     * Attaches a backward rule to {@code out} when grad mode is on and an input requires grad.
     * {@code saved} lists the tensors the rule reads, whose in-place modification is an error.
     * The rule must be written with tensor ops: a create-graph pass runs it with recording on.
     */
    static Tensor record(String op, Tensor out, Tensor[] inputs, Tensor[] saved, Node.Backward backward) {
        return record(op, out, inputs, saved, backward, backward);
    }

    static Tensor record(String op, Tensor out, Tensor[] inputs, Node.Backward backward) {
        return record(op, out, inputs, new Tensor[0], backward, backward);
    }

    /**
     * A fused op's record: {@code backward} (raw kernels, the first-order pass) and
     * {@code graphBackward} (the same gradients from recorded ops, for a create-graph pass; null
     * when the op has none, and then a create-graph pass through it fails naming {@code op}).
     */
    static Tensor record(String op, Tensor out, Tensor[] inputs, Tensor[] saved, Node.Backward backward,
                         Node.Backward graphBackward) {
        OpLog.add(op, out);
        if (!GradMode.isEnabled()) return out;
        boolean needed = false;
        for (Tensor t : inputs) needed |= t != null && t.requiresGrad();
        if (!needed) return out;
        out.gradFn = new Node(op, inputs, saved, backward, graphBackward);
        out.setRequiresGradInternal();
        return out;
    }

    /** Where a pass delivers the total gradient of a tensor it reached. */
    @FunctionalInterface
    interface Sink {
        void accept(Tensor tensor, Tensor grad);
    }

    static void backward(Tensor root, Tensor gradOutput, boolean retainGraph) {
        run("backward", root, gradOutput, false, retainGraph, null, (leaf, g) -> leaf.accumulateGrad(g));
    }

    /**
     * The gradients of {@code root} with respect to {@code inputs} (see {@link Gradients}), or
     * zeros of an input's shape where nothing reaches it.
     */
    static Tensor[] grad(Tensor root, Tensor gradOutput, boolean createGraph, boolean retainGraph, Tensor[] inputs) {
        for (int i = 0; i < inputs.length; i++) {
            Tensor in = inputs[i];
            if (in == null) throw new IllegalArgumentException("Gradients: input " + i + " is null");
            if (!in.requiresGrad()) {
                throw new IllegalArgumentException("Gradients: input " + i + " of shape " + Shape.str(in.shape)
                        + " does not require grad, so no gradient flows to it; mark it with requiresGrad(true)"
                        + " before the forward pass");
            }
        }
        Map<Tensor, Tensor> found = new IdentityHashMap<>();
        Map<Tensor, Boolean> targets = new IdentityHashMap<>();
        for (Tensor in : inputs) targets.put(in, Boolean.TRUE);
        run("Gradients", root, gradOutput, createGraph, retainGraph, targets,
                (t, g) -> found.merge(t, g, Tensor::add));
        Tensor[] out = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor g = found.get(inputs[i]);
            if (g == null) out[i] = Tensor.zeros(inputs[i].shape);
            else out[i] = createGraph ? g : Tensor.wrap(g.toArray(), inputs[i].shape);
        }
        return out;
    }

    /**
     * The reverse pass from {@code root}. Without {@code targets} every node runs and each leaf
     * that requires grad is handed to {@code sink}; with them, only nodes from which a target is
     * reachable run, and only targets (leaves or not) are handed to it. With {@code createGraph}
     * the pass records its own ops and each node runs its differentiable rule.
     */
    private static void run(String caller, Tensor root, Tensor gradOutput, boolean createGraph, boolean retainGraph,
                            Map<Tensor, Boolean> targets, Sink sink) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException(caller + ": this tensor does not require grad: no input of the ops that"
                    + " made it requires grad, or it was made by detach() or inside a no-grad scope");
        }
        if (gradOutput == null) {
            if (root.numel() != 1) {
                throw new IllegalArgumentException(caller + ": a tensor of shape " + Shape.str(root.shape)
                        + " is not a scalar; pass the gradient of the output explicitly");
            }
            gradOutput = Tensor.ones(root.shape);
        } else if (!java.util.Arrays.equals(gradOutput.shape, root.shape)) {
            throw new IllegalArgumentException(caller + ": output gradient of shape " + Shape.str(gradOutput.shape)
                    + " does not match the output's shape " + Shape.str(root.shape));
        }
        try (GradMode ignored = GradMode.set(createGraph)) {
            if (root.gradFn == null) {
                if (targets == null || targets.containsKey(root)) sink.accept(root, gradOutput);
                return;
            }
            List<Node> order = topologicalOrder(root.gradFn);
            Map<Node, Tensor> outputs = targets == null ? null : targetNodes(targets);
            Map<Node, Boolean> runs = targets == null ? null : leadingToTargets(order, targets, outputs);
            Map<Node, Tensor> grads = new IdentityHashMap<>();
            grads.put(root.gradFn, gradOutput);
            for (Node node : order) {
                Tensor g = grads.remove(node);
                if (g == null) continue;
                if (outputs != null) {
                    Tensor target = outputs.get(node);
                    if (target != null) sink.accept(target, g);
                    if (!runs.containsKey(node)) continue;
                }
                Tensor[] inputGrads = node.run(g, createGraph);
                for (int i = 0; i < node.inputs.length; i++) {
                    Tensor in = node.inputs[i];
                    Tensor gi = inputGrads[i];
                    if (in == null || gi == null || !in.requiresGrad()) continue;
                    if (in.gradFn == null) {
                        if (targets == null || targets.containsKey(in)) sink.accept(in, gi);
                    } else {
                        grads.merge(in.gradFn, gi, Tensor::add);
                    }
                }
                if (!retainGraph) node.free();
            }
        }
    }

    /** The node that computed each non-leaf target, mapped to that target. */
    private static Map<Node, Tensor> targetNodes(Map<Tensor, Boolean> targets) {
        Map<Node, Tensor> out = new IdentityHashMap<>();
        for (Tensor t : targets.keySet()) if (t.gradFn != null) out.put(t.gradFn, t);
        return out;
    }

    /**
     * The nodes whose backward must run for a target to get its gradient: those with an input
     * that is a target leaf, or that was computed by a node whose gradient is needed (a target's
     * node, or one that must run itself). A freed node runs too, so that it fails as in
     * backward(). {@code order} lists inputs after the nodes using them.
     */
    private static Map<Node, Boolean> leadingToTargets(List<Node> order, Map<Tensor, Boolean> targets,
                                                       Map<Node, Tensor> targetNodes) {
        Map<Node, Boolean> runs = new IdentityHashMap<>();
        for (int k = order.size() - 1; k >= 0; k--) {
            Node node = order.get(k);
            if (node.isFreed()) runs.put(node, Boolean.TRUE);
            for (Tensor in : node.inputs) {
                if (in == null || !in.requiresGrad()) continue;
                boolean needed = in.gradFn == null ? targets.containsKey(in)
                        : runs.containsKey(in.gradFn) || targetNodes.containsKey(in.gradFn);
                if (needed) {
                    runs.put(node, Boolean.TRUE);
                    break;
                }
            }
        }
        return runs;
    }

    /** Nodes reachable from {@code root}, each before every node it depends on (iterative DFS). */
    private static List<Node> topologicalOrder(Node root) {
        List<Node> post = new ArrayList<>();
        Map<Node, Boolean> visited = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Node node = (Node) frame[0];
            int next = (Integer) frame[1];
            if (next < node.inputs.length) {
                frame[1] = next + 1;
                Tensor in = node.inputs[next];
                if (in != null && in.gradFn != null && visited.put(in.gradFn, Boolean.TRUE) == null) {
                    stack.push(new Object[] {in.gradFn, 0});
                }
            } else {
                stack.pop();
                post.add(node);
            }
        }
        java.util.Collections.reverse(post);
        return post;
    }
}
