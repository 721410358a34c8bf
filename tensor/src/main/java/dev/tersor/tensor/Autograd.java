package dev.tersor.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** Records ops into the graph and runs reverse-mode accumulation over it. */
final class Autograd {
    private Autograd() {
    }

    /**
     * Attaches a backward rule to {@code out} when grad mode is on and an input requires grad.
     * {@code saved} lists the tensors the rule reads, whose in-place modification is an error.
     */
    static Tensor record(String op, Tensor out, Tensor[] inputs, Tensor[] saved, Node.Backward backward) {
        OpLog.add(op, out);
        if (!GradMode.isEnabled()) return out;
        boolean needed = false;
        for (Tensor t : inputs) needed |= t != null && t.requiresGrad();
        if (!needed) return out;
        out.gradFn = new Node(op, inputs, saved, backward);
        out.setRequiresGradInternal();
        return out;
    }

    static Tensor record(String op, Tensor out, Tensor[] inputs, Node.Backward backward) {
        return record(op, out, inputs, new Tensor[0], backward);
    }

    static void backward(Tensor root, Tensor gradOutput, boolean retainGraph) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward: this tensor does not require grad: no input of the ops that"
                    + " made it requires grad, or it was made by detach() or inside a no-grad scope");
        }
        if (gradOutput == null) {
            if (root.numel() != 1) {
                throw new IllegalArgumentException("backward: a tensor of shape " + Shape.str(root.shape)
                        + " is not a scalar; pass the gradient of the output explicitly");
            }
            gradOutput = Tensor.ones(root.shape);
        } else if (!java.util.Arrays.equals(gradOutput.shape, root.shape)) {
            throw new IllegalArgumentException("backward: output gradient of shape " + Shape.str(gradOutput.shape)
                    + " does not match the output's shape " + Shape.str(root.shape));
        }
        try (GradMode ignored = GradMode.set(false)) {
            if (root.gradFn == null) {
                root.accumulateGrad(gradOutput);
                return;
            }
            List<Node> order = topologicalOrder(root.gradFn);
            Map<Node, Tensor> grads = new IdentityHashMap<>();
            grads.put(root.gradFn, gradOutput);
            for (Node node : order) {
                Tensor g = grads.remove(node);
                if (g == null) continue;
                Tensor[] inputGrads = node.run(g);
                for (int i = 0; i < node.inputs.length; i++) {
                    Tensor in = node.inputs[i];
                    Tensor gi = inputGrads[i];
                    if (in == null || gi == null || !in.requiresGrad()) continue;
                    if (in.gradFn == null) {
                        in.accumulateGrad(gi);
                    } else {
                        grads.merge(in.gradFn, gi, Tensor::add);
                    }
                }
                if (!retainGraph) node.free();
            }
        }
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
