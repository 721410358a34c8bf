package dev.tersor.compress.prune;

import dev.tersor.compress.prune.ChannelGraph.Group;
import dev.tersor.compress.prune.ChannelGraph.Kind;
import dev.tersor.compress.prune.ChannelGraph.Node;
import dev.tersor.compress.prune.ChannelGraph.Site;
import dev.tersor.nn.Module;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a {@link ChannelGraph} by running the model: which output channels of which layers meet
 * which input channels of which others, through whatever the forward does between modules
 * (residual adds, the zero-padded option-A shortcuts, concatenation, flatten, pooling, slicing).
 *
 * <p>The model is cut at its layers. Every mixing layer (convolution, linear) and every layer of
 * unknown kind with state is replaced by a constant output (0.25 everywhere), every channel-wise
 * layer (batch norm, depthwise convolution) by the identity; what runs between them is the
 * model's own code, and the trace observes the input of every layer and the output of every
 * stateless one. Then, for each output channel of each mixing, routing or unknown layer, a probe
 * changes that one channel to −0.5 (on one sample of a batch; one pass probes up to 64 channels)
 * and records every layer input or output channel, and the model output, that differ from the
 * unprobed pass. Channels reached by the same probe are joined (union-find); each connected set
 * is a group. Because only differences are read, any op between layers is followed as long as it
 * lets a change through (a ReLU passes −0.5 → 0 against 0.25 → 0.25; so do sign, max, tanh and
 * products with non-zero values).
 *
 * <p>A group is pinned (not prunable) when it reaches the model output or passes through a layer
 * with state that no {@link LayerSurgery} knows. A group may hold several output channels of one
 * layer (a pixel shuffle folds four into one; a ghost module copies one into two): they go
 * together. Whether the forward code still routes channels the same way once they are fewer is
 * checked after pruning by tracing again ({@link Pruning#apply}).
 */
public final class ChannelTrace {
    static final float BASE = 0.25f, PROBE = -0.75f;
    private static final int CHUNK = 64;
    /** Most activation values one sample of a probing pass may hold per layer, times the batch: keeps passes within memory. */
    private static final long PASS_BUDGET = 1L << 24;
    private static final float TOLERANCE = 1e-6f;

    private ChannelTrace() {
    }

    /** The channel graph of {@code model} for inputs like {@code sample} (its batch size does not matter). */
    public static ChannelGraph trace(Module model, Tensor sample) {
        return trace(model, sample, Surgeries.builtIn());
    }

    /** As {@link #trace(Module, Tensor)} with the given surgeries. */
    public static ChannelGraph trace(Module model, Tensor sample, List<LayerSurgery> surgeries) {
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var g = Tensor.noGrad()) {
            return new Run(model, first(sample), surgeries).graph();
        } finally {
            if (wasTraining) model.train();
        }
    }

    private static Tensor first(Tensor sample) {
        if (sample.dim() < 1 || sample.size(0) < 1) throw new IllegalArgumentException("ChannelTrace: the sample needs a batch axis, got "
                + Arrays.toString(sample.shape()));
        return sample.narrow(0, 0, 1).contiguous();
    }

    /** A traced layer while tracing. */
    private static final class Unit {
        final String path;
        final Module module;
        final LayerSurgery surgery;
        Kind kind;
        String why;   // why an OPAQUE layer is opaque
        int in = -1, out = -1, calls, inBase, outBase;
        long macs;
        final List<float[]> baseIn = new ArrayList<>(), baseOut = new ArrayList<>();
        final List<int[]> outShapes = new ArrayList<>();   // per call, batch of the shape pass
        int inCall, outCall;

        Unit(String path, Module module, LayerSurgery surgery) {
            this.path = path;
            this.module = module;
            this.surgery = surgery;
        }
    }

    private enum Phase { SHAPES, BASELINE, PROBE }

    private static final class Run {
        final Module model;
        final Tensor sample;
        final List<Unit> units = new ArrayList<>();
        Phase phase = Phase.SHAPES;
        Unit source;
        int c0, count, chunk = CHUNK;
        long largest = 1;   // most values of one sample's input or output of any layer
        int[] parent;
        int outputSite;
        float[] baseOutput;

        Run(Module model, Tensor sample, List<LayerSurgery> surgeries) {
            this.model = model;
            this.sample = sample;
            collect(model, "", surgeries);
        }

        private void collect(Module m, String path, List<LayerSurgery> surgeries) {
            LayerSurgery s = null;
            for (LayerSurgery c : surgeries) if (c.accepts(m)) { s = c; break; }
            boolean ownState = m.namedParameters().keySet().stream().anyMatch(k -> !k.contains("."))
                    || m.namedBuffers().keySet().stream().anyMatch(k -> !k.contains("."));
            if (s != null || m.children().isEmpty() || ownState) {
                Unit u = new Unit(path, m, s);
                if (s != null) u.kind = Kind.of(s.role(m));
                else if (m.stateDict().isEmpty() && m.parameters().isEmpty()) u.kind = Kind.TRANSPARENT;
                else {
                    u.kind = Kind.OPAQUE;
                    u.why = m.getClass().getSimpleName() + " has state that no pruning surgery knows";
                }
                units.add(u);
                return;
            }
            for (var e : m.children().entrySet()) collect(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), surgeries);
        }

        ChannelGraph graph() {
            List<Module.HookHandle> handles = new ArrayList<>();
            try {
                for (Unit u : units) {
                    handles.add(u.module.registerForwardPreHook((m, x) -> before(u, x)));
                    handles.add(u.module.registerForwardHook((m, x, y) -> after(u, x, y)));
                }
                forward(sample, "recording shapes");
                List<Unit> traced = new ArrayList<>();
                for (Unit u : units) if (u.calls > 0) traced.add(u);
                units.retainAll(traced);
                allocateSites();
                chunk = (int) Math.max(1, Math.min(CHUNK, PASS_BUDGET / largest));
                phase = Phase.BASELINE;
                baseOutput = flat(forward(zeros(1), "the unprobed pass"));
                phase = Phase.PROBE;
                for (Unit u : units) {
                    if (u.kind != Kind.MIXING && u.kind != Kind.ROUTING && u.kind != Kind.OPAQUE) continue;
                    source = u;
                    for (c0 = 0; c0 < u.out; c0 += chunk) {
                        count = Math.min(chunk, u.out - c0);
                        Tensor y = forward(zeros(count), "probing " + u.path);
                        compare(y, baseOutput, count, (k, i) -> union(sourceSite(k), outputSite));
                    }
                }
            } finally {
                for (Module.HookHandle h : handles) h.close();
            }
            return build();
        }

        private Tensor forward(Tensor x, String what) {
            for (Unit u : units) u.inCall = u.outCall = 0;
            try {
                return model.call(x);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("ChannelTrace: cannot trace " + model.getClass().getSimpleName() + " (" + what
                        + "): " + e.getMessage(), e);
            }
        }

        private Tensor zeros(int batch) {
            int[] s = sample.shape().clone();
            s[0] = batch;
            return Tensor.zeros(s);
        }

        private Tensor before(Unit u, Tensor x) {
            int call = u.inCall++;
            switch (phase) {
                case SHAPES -> {
                    int c = x.dim() >= 2 ? x.size(1) : 0;
                    if (u.in >= 0 && u.in != c) opaque(u, "called with " + u.in + " and " + c + " input channels");
                    u.in = c;
                    if (x.dim() < 2 && u.kind != Kind.TRANSPARENT) opaque(u, "input of rank " + x.dim());
                    largest = Math.max(largest, x.numel() / Math.max(1, x.size(0)));
                    return null;
                }
                case BASELINE -> u.baseIn.add(flat(x));
                case PROBE -> {
                    if (u != source) compare(x, u.baseIn.get(call), count, (k, i) -> union(sourceSite(k), u.inBase + i));
                }
            }
            return u.kind == Kind.MIXING ? MinimalInput.of(u.module, x) : null;   // its output is replaced anyway
        }

        private Tensor after(Unit u, Tensor x, Tensor y) {
            int call = u.outCall++;
            if (phase == Phase.SHAPES) {
                u.calls++;
                int c = y.dim() >= 2 ? y.size(1) : 0;
                if (u.out >= 0 && u.out != c) opaque(u, "called with " + u.out + " and " + c + " output channels");
                u.out = c;
                largest = Math.max(largest, y.numel() / Math.max(1, y.size(0)));
                u.outShapes.add(y.shape().clone());
                u.macs += u.module.multiplyAccumulates(x, y);
                if (u.kind == Kind.CHANNELWISE && !Arrays.equals(x.shape(), y.shape())) opaque(u, "output shape differs from input shape");
                if (u.kind == Kind.MIXING && (y.dim() != x.dim() || (x.dim() != 2 && x.dim() != 4))) {
                    opaque(u, "input rank " + x.dim() + ", output rank " + y.dim() + " (channels must be axis 1 of [N, C] or [N, C, H, W])");
                }
                return null;
            }
            return switch (u.kind) {
                case MIXING, OPAQUE -> constant(u, u.outShapes.get(call), x.size(0));
                case CHANNELWISE -> x;
                case ROUTING, TRANSPARENT -> {
                    if (phase == Phase.BASELINE) {
                        u.baseOut.add(flat(y));
                        yield null;
                    }
                    if (u == source) yield perturbed(y.contiguous().toArray(), y.shape());
                    compare(y, u.baseOut.get(call), count, (k, i) -> union(sourceSite(k), u.outBase + i));
                    yield null;
                }
            };
        }

        private void opaque(Unit u, String why) {
            if (u.kind == Kind.OPAQUE) return;
            u.kind = Kind.OPAQUE;
            u.why = u.module.getClass().getSimpleName() + " " + why;
        }

        /** The constant output of a cut layer: its traced shape for this call, with the pass's batch. */
        private Tensor constant(Unit u, int[] traced, int batch) {
            int[] shape = traced.clone();
            shape[0] = batch;
            int n = 1;
            for (int d : shape) n *= d;
            float[] v = new float[n];
            Arrays.fill(v, BASE);
            return phase == Phase.PROBE && u == source ? perturbed(v, shape) : Tensor.fromArray(v, shape);
        }

        /** Adds the probe to channel c0 + k of sample k. */
        private Tensor perturbed(float[] v, int[] shape) {
            int per = v.length / (shape[0] * shape[1]);
            for (int k = 0; k < count; k++) {
                int base = (k * shape[1] + c0 + k) * per;
                for (int j = 0; j < per; j++) v[base + j] += PROBE;
            }
            return Tensor.fromArray(v, shape);
        }

        private int sourceSite(int k) {
            return source.outBase + c0 + k;
        }

        @FunctionalInterface
        private interface Touch {
            void at(int sample, int channel);
        }

        /** Calls {@code touch} for each (sample, channel on axis 1) where {@code x} differs from the unprobed {@code base}. */
        private static void compare(Tensor x, float[] base, int samples, Touch touch) {
            float[] v = x.contiguous().toArray();
            int n = x.size(0), c = x.dim() >= 2 ? x.size(1) : 1;
            int per = v.length / (n * c);
            if (base.length != c * per) {
                throw new IllegalStateException("ChannelTrace: a layer's input changed shape between passes: " + Arrays.toString(x.shape()));
            }
            for (int k = 0; k < Math.min(samples, n); k++) {
                for (int i = 0; i < c; i++) {
                    int o = (k * c + i) * per, b = i * per;
                    for (int j = 0; j < per; j++) {
                        if (Math.abs(v[o + j] - base[b + j]) > TOLERANCE) {
                            touch.at(k, i);
                            break;
                        }
                    }
                }
            }
        }

        private static float[] flat(Tensor x) {
            return x.narrow(0, 0, 1).contiguous().toArray();
        }

        private void allocateSites() {
            int total = 0;
            for (Unit u : units) {
                u.in = Math.max(u.in, 0);
                u.out = Math.max(u.out, 0);
                u.inBase = total;
                total += u.in;
                u.outBase = total;
                total += u.out;
            }
            outputSite = total;
            parent = new int[total + 1];
            for (int i = 0; i < parent.length; i++) parent[i] = i;
            for (Unit u : units) {
                if (u.kind == Kind.CHANNELWISE) for (int i = 0; i < u.in; i++) union(u.inBase + i, u.outBase + i);
            }
        }

        private int find(int a) {
            while (parent[a] != a) {
                parent[a] = parent[parent[a]];
                a = parent[a];
            }
            return a;
        }

        private void union(int a, int b) {
            int ra = find(a), rb = find(b);
            if (ra != rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
        }

        private ChannelGraph build() {
            Map<Integer, List<Site>> sites = new LinkedHashMap<>();
            Map<Integer, String> pinned = new HashMap<>();
            List<Integer> order = new ArrayList<>();
            for (Unit u : units) {
                if (u.kind != Kind.MIXING) continue;
                for (int c = 0; c < u.out; c++) {
                    int r = find(u.outBase + c);
                    if (!sites.containsKey(r)) {
                        sites.put(r, new ArrayList<>());
                        order.add(r);
                    }
                }
            }
            for (Unit u : units) {
                for (int side = 0; side < 2; side++) {
                    int n = side == 0 ? u.in : u.out, base = side == 0 ? u.inBase : u.outBase;
                    for (int i = 0; i < n; i++) {
                        int r = find(base + i);
                        List<Site> l = sites.get(r);
                        if (l == null) continue;
                        l.add(new Site(u.path, side == 1, i));
                        if (u.kind == Kind.OPAQUE) pinned.putIfAbsent(r, "passes through " + u.path + ": " + u.why);
                    }
                }
            }
            int outRoot = find(outputSite);
            if (sites.containsKey(outRoot)) pinned.put(outRoot, "reaches the model output");
            Map<String, Unit> byPath = new HashMap<>();
            for (Unit u : units) byPath.put(u.path, u);
            List<Group> groups = new ArrayList<>();
            for (int r : order) {
                Set<String> producers = new LinkedHashSet<>();
                for (Site s : sites.get(r)) if (s.out() && byPath.get(s.path()).kind == Kind.MIXING) producers.add(s.path());
                groups.add(new Group(groups.size(), List.copyOf(sites.get(r)), List.copyOf(producers), pinned.get(r)));
            }
            List<Node> nodes = new ArrayList<>();
            Map<String, LayerSurgery> surgeries = new LinkedHashMap<>();
            for (Unit u : units) {
                nodes.add(new Node(u.path, u.module.getClass().getSimpleName(), u.kind, u.in, u.out, u.macs, u.calls));
                if (u.surgery != null && u.kind != Kind.OPAQUE) surgeries.put(u.path, u.surgery);
            }
            return new ChannelGraph(nodes, groups, surgeries);
        }

    }
}
