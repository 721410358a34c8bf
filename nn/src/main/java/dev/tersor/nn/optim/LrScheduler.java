package dev.tersor.nn.optim;

import java.util.Map;

/**
 * Sets the learning rate of every group of an optimizer as a function of the step count, like
 * PyTorch's {@code torch.optim.lr_scheduler}: building one sets the step-0 learning rates;
 * call {@link #step()} after each {@code optimizer.step()}.
 * <pre>{@code
 * var opt = new Sgd(model.parameters(), Sgd.options(0.1).momentum(0.9).build());
 * var sched = new CosineLr(opt, 10_000, 500, 0.0);
 * for (int i = 0; i < 10_000; i++) {
 *     ... opt.step();
 *     sched.step();
 * }
 * }</pre>
 * Schedules multiply each group's base learning rate (its lr when the scheduler was built) by
 * the same factor, unless documented otherwise.
 */
public interface LrScheduler {
    /** Advances one step and sets the new learning rates. */
    void step();

    /** The learning rates last set, one per group. */
    double[] lastLr();

    /** Steps taken since the start (PyTorch's {@code last_epoch}; 0 right after building). */
    int lastStep();

    /**
     * The state as strings, ready for a safetensors file's metadata: {@code scheduler} (the
     * class), {@code last_step} and {@code base_lrs} (comma-separated).
     */
    Map<String, String> stateDict();

    /**
     * Restores a state saved by the same scheduler class over the same number of groups, and
     * sets the groups' learning rates for the restored step.
     */
    void loadStateDict(Map<String, String> state);
}
