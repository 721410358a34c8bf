package dev.tersor.nn;

import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** An indexed list of modules ("0", "1", ...) whose owner decides how to run them. */
public class ModuleList extends Module implements Iterable<Module> {
    /** A list holding the given modules. */
    public ModuleList(Module... modules) {
        for (Module m : modules) add(m);
    }

    /** Appends a module; returns this. */
    public ModuleList add(Module m) {
        register(Integer.toString(children().size()), m);
        return this;
    }

    /** The {@code i}-th module. */
    public Module get(int i) {
        return child(Integer.toString(i));
    }

    /** Number of modules. */
    public int size() {
        return children().size();
    }

    @Override
    public Iterator<Module> iterator() {
        List<Module> copy = new ArrayList<>(children().values());
        return copy.iterator();
    }

    /** A ModuleList has no forward of its own; its owner runs the modules. */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("ModuleList has no forward: iterate over its modules instead");
    }
}
