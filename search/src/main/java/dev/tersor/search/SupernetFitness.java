package dev.tersor.search;

import dev.tersor.nn.data.Batch;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Scores an architecture with the trained supernet's shared weights, as SPOS's {@code get_cand_err}:
 * fix the path, recalibrate its batch norms on {@code calibration} ({@link BnRecalibration}), then
 * the accuracy on {@code validation} in eval mode. The same batches serve every candidate, so the
 * score depends on the architecture alone.
 * <pre>{@code
 * List<Batch> calib = SupernetFitness.take(trainLoader, 20), val = SupernetFitness.take(valLoader, 10);
 * Fitness f = new SupernetFitness(supernet, calib, val);
 * double acc = f.score(arch);
 * }</pre>
 */
public final class SupernetFitness implements Fitness {
    private final Supernet net;
    private final List<Batch> calibration, validation;

    /** Scores with {@code net} (changes its fixed path and the running statistics along each path). */
    public SupernetFitness(Supernet net, List<Batch> calibration, List<Batch> validation) {
        if (calibration.isEmpty() || validation.isEmpty()) throw new IllegalArgumentException("SupernetFitness: needs calibration and validation batches");
        this.net = net;
        this.calibration = List.copyOf(calibration);
        this.validation = List.copyOf(validation);
    }

    /** The first {@code n} batches of {@code data} (fewer if it has fewer). */
    public static List<Batch> take(Iterable<Batch> data, int n) {
        List<Batch> out = new ArrayList<>();
        for (Batch b : data) {
            if (out.size() == n) break;
            out.add(b);
        }
        return out;
    }

    /**
     * A fitness per worker thread for {@link LocalExecutor}: the first gets {@code net} itself, the
     * others copies of it (same weights and buffers), so scores do not depend on the thread.
     */
    public static Supplier<Fitness> perWorker(Supernet net, List<Batch> calibration, List<Batch> validation) {
        Object lock = new Object();
        boolean[] first = {true};
        return () -> {
            synchronized (lock) {
                if (first[0]) {
                    first[0] = false;
                    return new SupernetFitness(net, calibration, validation);
                }
                Supernet copy = CostTable.preservingRng(() -> net.space().supernet());
                copy.loadStateDict(net.stateDict(), true);
                return new SupernetFitness(copy, calibration, validation);
            }
        };
    }

    @Override
    public double score(Architecture arch) {
        net.fixPath(arch);
        BnRecalibration.run(net, calibration, calibration.size());
        net.eval();
        long correct = 0, total = 0;
        try (var g = Tensor.noGrad()) {
            for (Batch b : validation) {
                correct += net.call(b.inputs()).argmax(1, false).countEqual(b.labels());
                total += b.size();
            }
        }
        return (double) correct / total;
    }
}
