package dev.tersor.nn;

import dev.tersor.tensor.OpLog;
import dev.tersor.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Per-layer output shapes, parameter counts and multiply-accumulates of one forward pass, like
 * torchinfo's summary: {@code System.out.println(Summary.of(model, 1, 28, 28));}.
 * {@link #withOps} also lists the functional ops a module runs in its own forward, between its
 * layers (LeNet-5's ReLU and pooling, a residual block's add), so the shapes read step by step.
 */
public final class Summary {
    /**
     * One leaf layer: dotted name, type, output shape (batch 1), parameters, MACs. A functional op
     * ({@link #withOps}) is a row named after the module whose forward ran it ({@code ""}: the
     * model), its type the op's name in lower case and parentheses, e.g. {@code (maxpool2d)}.
     */
    public record Row(String name, String type, int[] outputShape, long parameters, long macs) {
        /** True for a functional op's row. */
        public boolean isOp() {
            return type.startsWith("(");
        }
    }

    private final List<Row> rows;

    private Summary(List<Row> rows) {
        this.rows = List.copyOf(rows);
    }

    /** Runs one eval-mode forward of a zero sample of {@code inputShape} (batch 1 is prepended). */
    public static Summary of(Module model, int... inputShape) {
        return summarize(model, false, inputShape);
    }

    /** The same with a row for each functional op a module's own forward runs, in forward order. */
    public static Summary withOps(Module model, int... inputShape) {
        return summarize(model, true, inputShape);
    }

    private static Summary summarize(Module model, boolean ops, int... inputShape) {
        List<Row> rows = new ArrayList<>();
        List<Module.HookHandle> handles = new ArrayList<>();
        boolean wasTraining = model.isTraining();
        OpLog log = ops ? OpLog.start() : null;
        OpRows own = ops ? new OpRows(log, rows) : null;
        for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
            Module m = e.getValue();
            String path = e.getKey();
            boolean leaf = m.children().isEmpty();
            if (ops) handles.add(m.registerForwardPreHook((mod, in) -> {
                own.enter(path, leaf);
                return null;
            }));
            handles.add(m.registerForwardHook((mod, in, out) -> {
                if (ops) own.leave();
                if (leaf) {
                    long params = 0;
                    for (Parameter p : mod.namedParameters().values()) params += p.numel();
                    rows.add(new Row(path, mod.getClass().getSimpleName(), out.shape(), params, macs(mod, in, out)));
                }
                return null;
            }));
        }
        int[] shape = new int[inputShape.length + 1];
        shape[0] = 1;
        System.arraycopy(inputShape, 0, shape, 1, inputShape.length);
        try (var g = Tensor.noGrad()) {
            model.eval();
            model.call(Tensor.zeros(shape));
        } finally {
            handles.forEach(Module.HookHandle::close);
            if (log != null) log.close();
            if (wasTraining) model.train();
        }
        if (own != null) own.flush();
        return new Summary(rows);
    }

    /**
     * Turns the op log into rows: the ops made since the last hook belong to the innermost module
     * running, a leaf's to its own row (dropped), a container's to rows of their own.
     */
    private static final class OpRows {
        private final OpLog log;
        private final List<Row> rows;
        private final ArrayDeque<String[]> running = new ArrayDeque<>();   // {path, "leaf" or ""}
        private int next;

        OpRows(OpLog log, List<Row> rows) {
            this.log = log;
            this.rows = rows;
        }

        void enter(String path, boolean leaf) {
            flush();
            running.push(new String[] {path, leaf ? "leaf" : ""});
        }

        void leave() {
            flush();
            running.pop();
        }

        void flush() {
            String[] top = running.peek();
            int size = log.size();
            if (top != null && top[1].isEmpty()) {
                for (int i = next; i < size; i++) {
                    OpLog.Entry op = log.entry(i);
                    rows.add(new Row(top[0], "(" + op.op().toLowerCase(java.util.Locale.ROOT) + ")", op.shape(), 0, 0));
                }
            }
            next = size;
        }
    }

    private static long macs(Module m, Tensor in, Tensor out) {
        return m.multiplyAccumulates(in, out);
    }

    /** The rows in forward order. */
    public List<Row> rows() {
        return rows;
    }

    /** Total parameters of the layers that ran. */
    public long totalParameters() {
        return rows.stream().mapToLong(Row::parameters).sum();
    }

    /** Total multiply-accumulates of one sample. */
    public long totalMacs() {
        return rows.stream().mapToLong(Row::macs).sum();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format("%-28s %-18s %-20s %12s %14s%n", "layer", "type", "output", "params", "MACs"));
        for (Row r : rows) {
            sb.append(String.format("%-28s %-18s %-20s %,12d %,14d%n", r.name(), r.type(), Arrays.toString(r.outputShape()),
                    r.parameters(), r.macs()));
        }
        sb.append(String.format("%-68s %,12d %,14d", "total", totalParameters(), totalMacs()));
        return sb.toString();
    }
}
