package dev.tersor.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;

/**
 * A check for code shared between threads (an eval-mode model, a converted integer model): each
 * input gets its own thread, all start together and call {@code f} {@code rounds} times, and every
 * output must equal the serial call's bit for bit. Shared by the modules' tests (tensor test-jar).
 */
public final class ConcurrentCalls {
    private ConcurrentCalls() {
    }

    /** Fails naming {@code what}, the thread and the round whose output differs from the serial one. */
    public static void assertSameAsSerial(String what, UnaryOperator<Tensor> f, List<Tensor> inputs, int rounds) throws Exception {
        List<float[]> serial = new ArrayList<>();
        try (var g = Tensor.noGrad()) {
            for (Tensor x : inputs) serial.add(f.apply(x).toArray());
        }
        ExecutorService pool = Executors.newFixedThreadPool(inputs.size());
        try {
            CyclicBarrier start = new CyclicBarrier(inputs.size());
            List<Future<List<float[]>>> results = new ArrayList<>();
            for (Tensor x : inputs) {
                results.add(pool.submit(() -> {
                    start.await();
                    List<float[]> out = new ArrayList<>();
                    try (var g = Tensor.noGrad()) {
                        for (int r = 0; r < rounds; r++) out.add(f.apply(x).toArray());
                    }
                    return out;
                }));
            }
            for (int t = 0; t < inputs.size(); t++) {
                List<float[]> got = results.get(t).get();
                for (int r = 0; r < rounds; r++) assertArrayEquals(serial.get(t), got.get(r), what + ": thread " + t + ", round " + r);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
