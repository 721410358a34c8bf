package dev.tersor.nn;

import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Per-layer output shapes, parameter counts and multiply-accumulates of one forward pass, like
 * torchinfo's summary: {@code System.out.println(Summary.of(model, 1, 28, 28));}.
 */
public final class Summary {
    /** One leaf layer: dotted name, type, output shape (batch 1), parameters, MACs. */
    public record Row(String name, String type, int[] outputShape, long parameters, long macs) {
    }

    private final List<Row> rows;

    private Summary(List<Row> rows) {
        this.rows = List.copyOf(rows);
    }

    /** Runs one eval-mode forward of a zero sample of {@code inputShape} (batch 1 is prepended). */
    public static Summary of(Module model, int... inputShape) {
        List<Row> rows = new ArrayList<>();
        List<Module.HookHandle> handles = new ArrayList<>();
        boolean wasTraining = model.isTraining();
        for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
            Module m = e.getValue();
            if (!m.children().isEmpty()) continue;
            handles.add(m.registerForwardHook((mod, in, out) -> {
                long params = 0;
                for (Parameter p : mod.namedParameters().values()) params += p.numel();
                rows.add(new Row(e.getKey(), mod.getClass().getSimpleName(), out.shape(), params, macs(mod, in, out)));
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
            if (wasTraining) model.train();
        }
        return new Summary(rows);
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
