package dev.tersor.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.Tensor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A model in training mode refuses a second thread while one is inside a call; eval mode and re-entry on one thread are fine. */
class SharedTrainingTest {
    /** A layer that holds its caller inside forward until released. */
    static final class Gate extends Module {
        final CountDownLatch inside = new CountDownLatch(1), release = new CountDownLatch(1);
        final Linear linear = register("linear", new Linear(2, 2));

        @Override
        public Tensor forward(Tensor x) {
            inside.countDown();
            try {
                assertTrue(release.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return linear.call(x);
        }
    }

    @Test
    void aSecondThreadTrainingTheSameModelFailsLoudly() throws Exception {
        Gate g = new Gate();
        CompletableFuture<Tensor> first = CompletableFuture.supplyAsync(() -> g.call(Tensor.zeros(1, 2)));
        assertTrue(g.inside.await(10, TimeUnit.SECONDS));
        var e = assertThrows(IllegalStateException.class, () -> g.call(Tensor.zeros(1, 2)));
        assertTrue(e.getMessage().startsWith("Gate is in training mode and already running on thread '"), e.getMessage());
        assertTrue(e.getMessage().contains("give each thread its own model, or call eval() for inference"), e.getMessage());
        g.release.countDown();
        assertEquals(2, first.get(10, TimeUnit.SECONDS).shape()[1], "the first caller finishes undisturbed");
        assertEquals(2, g.call(Tensor.zeros(1, 2)).shape()[1], "free again once the first call is done");
    }

    @Test
    void evalModeAndReentryOnOneThreadAreAllowed() throws Exception {
        Gate g = new Gate();
        g.release.countDown();
        g.eval();
        CompletableFuture<Tensor> other = CompletableFuture.supplyAsync(() -> g.call(Tensor.zeros(1, 2)));
        g.call(Tensor.zeros(1, 2));
        other.get(10, TimeUnit.SECONDS);
        Linear shared = new Linear(2, 2);
        Module twice = new Sequential(shared, new ReLU(), shared);   // the same layer twice in one forward
        assertEquals(2, twice.call(Tensor.zeros(3, 2)).shape()[1]);
    }
}
