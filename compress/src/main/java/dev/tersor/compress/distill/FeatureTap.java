package dev.tersor.compress.distill;

import dev.tersor.nn.Module;
import dev.tersor.tensor.Tensor;

/** The last input and output of one module, caught by a forward hook; closing removes the hook. */
final class FeatureTap implements AutoCloseable {
    private final Module.HookHandle handle;
    private final Module module;
    private Tensor input;
    private Tensor output;

    /** Taps the module at {@code path} under {@code root} (an unknown path names the children there). */
    FeatureTap(Module root, String path) {
        this.module = root.get(path);
        this.handle = module.registerForwardHook((m, in, out) -> {
            input = in;
            output = out;
            return null;
        });
    }

    Module module() {
        return module;
    }

    Tensor input() {
        return input;
    }

    /** The last output; an error naming {@code what} when no forward ran since the last {@link #clear}. */
    Tensor output(String what) {
        if (output == null) throw new IllegalStateException(what + " produced no output in the last forward (is it used by the model's forward?)");
        return output;
    }

    void clear() {
        input = null;
        output = null;
    }

    @Override
    public void close() {
        handle.close();
        clear();
    }
}
