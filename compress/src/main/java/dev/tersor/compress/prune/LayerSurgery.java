package dev.tersor.compress.prune;

import dev.tersor.nn.Module;

/**
 * How the pruning engine treats one kind of layer: its {@link Role} in the channel graph and how
 * to rebuild it with fewer channels. The built-in surgeries ({@link Surgeries#builtIn()}) cover
 * Conv2d, Linear, the batch norms, PReLU, the adder and binary layers, the ResNets'
 * {@code ZeroPadShortcut} and GhostSR's {@code GhostShift}; a layer no surgery accepts is a leaf the tracer treats as opaque
 * (channels through it are not pruned) when it holds state, or as a channel-preserving function
 * (ReLU, pooling, flatten, ...) when it holds none.
 */
public interface LayerSurgery {

    /** What a layer does to channels. */
    enum Role {
        /** Output channels are new features of all input channels (convolution, linear): a producer and a consumer. */
        MIXING,
        /** Output channel i depends on input channel i alone (batch norm, depthwise convolution, PReLU). */
        CHANNELWISE,
        /** Moves (or copies) channels to other positions: a zero-padding shortcut, GhostSR's shift; the trace runs it for real. */
        ROUTING
    }

    /** Whether this surgery handles {@code layer} (e.g. its exact class and settings). */
    boolean accepts(Module layer);

    /** The layer's role. */
    Role role(Module layer);

    /**
     * The layer with only input channels {@code keptIn} and output channels {@code keptOut}
     * (increasing indices; for a channel-wise layer the two are the same), holding the
     * corresponding slices of its state; {@code layer} is unchanged.
     */
    Module rebuild(Module layer, int[] keptIn, int[] keptOut);
}
