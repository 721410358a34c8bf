package dev.tersor.nn.optim;

import dev.tersor.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an optimizer keeps for one parameter between steps: named buffers shaped like the
 * parameter (PyTorch's names: {@code momentum_buffer}, {@code exp_avg}, {@code exp_avg_sq},
 * {@code max_exp_avg_sq}, {@code square_avg}, {@code grad_avg}) and the number of steps taken.
 */
public final class ParamState {
    private final Map<String, Tensor> buffers = new LinkedHashMap<>(4);
    private long step;

    ParamState() {
    }

    /** Steps taken for this parameter (those where it had a gradient). */
    public long step() {
        return step;
    }

    /** Counts one more step and returns the new count. */
    public long incrementStep() {
        return ++step;
    }

    void setStep(long step) {
        this.step = step;
    }

    /** The buffer called {@code name}, or null before it is created. */
    public Tensor buffer(String name) {
        return buffers.get(name);
    }

    /** The buffer called {@code name}, created as zeros of {@code shape} on first use. */
    public Tensor bufferOrZeros(String name, int[] shape) {
        Tensor t = buffers.get(name);
        if (t == null) {
            t = Tensor.zeros(shape);
            buffers.put(name, t);
        }
        return t;
    }

    /** Stores {@code t} (not copied) as the buffer called {@code name}. */
    public void setBuffer(String name, Tensor t) {
        buffers.put(name, t);
    }

    /** The buffers by name (read-only view). */
    public Map<String, Tensor> buffers() {
        return Collections.unmodifiableMap(buffers);
    }

    /** True before the first step created anything. */
    boolean isEmpty() {
        return step == 0 && buffers.isEmpty();
    }
}
