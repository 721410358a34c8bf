package dev.tersor.nn;

import dev.tersor.tensor.Tensor;

/** Children run in order, named "0", "1", ... as in PyTorch: {@code new Sequential(new Linear(4, 8), new ReLU())}. */
public class Sequential extends Module {
    /** A chain of the given modules. */
    public Sequential(Module... modules) {
        for (int i = 0; i < modules.length; i++) register(Integer.toString(i), modules[i]);
    }

    /** Appends a module under the next index; returns this. */
    public Sequential add(Module m) {
        register(Integer.toString(children().size()), m);
        return this;
    }

    /** Appends a module under a name of its own; returns this. */
    public Sequential add(String name, Module m) {
        register(name, m);
        return this;
    }

    /** The {@code i}-th module. */
    public Module get(int i) {
        return children().values().stream().skip(i).findFirst()
                .orElseThrow(() -> new IndexOutOfBoundsException("index " + i + " of a Sequential of size " + size()));
    }

    /** Number of modules. */
    public int size() {
        return children().size();
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (Module m : children().values()) x = m.call(x);
        return x;
    }
}
