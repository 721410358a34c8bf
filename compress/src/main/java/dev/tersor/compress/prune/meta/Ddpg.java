package dev.tersor.compress.prune.meta;

import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.loss.Reduction;
import dev.tersor.nn.optim.Adam;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The deep deterministic policy gradient agent of CACP (liuyixin-louis/CACP
 * {@code lib/hanlab/agent.py}, after AMC's): an actor μ(s) ∈ (0, 1) and a critic Q(s, a), each
 * two hidden layers of {@code hidden} units with ReLU, target copies updated softly
 * (θ' ← (1 − τ)·θ' + τ·θ), Adam for both. An update draws a batch of transitions from the replay
 * memory, subtracts a moving average of the batch rewards (α = 0.5) from the rewards, and fits
 * <pre>
 * critic:  (Q(s, a) − (r + γ·(1 − done)·Q'(s', μ'(s'))))²      actor:  −Q(s, μ(s))
 * </pre>
 * Exploration adds truncated normal noise (σ = noise·decay^(episode − warmup), kept in [0, 1]).
 */
final class Ddpg {
    /** One stored step. */
    record Transition(float[] state, float action, float reward, float[] next, boolean done) {
    }

    private final Net actor, actorTarget, critic, criticTarget;
    private final Adam actorOpt, criticOpt;
    private final List<Transition> memory = new ArrayList<>();
    private final int capacity, batch;
    private final double tau, discount;
    private final Generator rng;
    private int next;
    private Double movingAverage;

    Ddpg(int states, Cacp.Agent a, int capacity, Generator rng) {
        this.rng = rng;
        actor = new Net(states, 0, a.hidden(), true, rng);
        actorTarget = new Net(states, 0, a.hidden(), true, rng);
        critic = new Net(states, 1, a.hidden(), false, rng);
        criticTarget = new Net(states, 1, a.hidden(), false, rng);
        copy(actor, actorTarget, 1);
        copy(critic, criticTarget, 1);
        actorOpt = new Adam(actor.parameters(), Adam.options().lr(a.actorLr()).build());
        criticOpt = new Adam(critic.parameters(), Adam.options().lr(a.criticLr()).build());
        this.capacity = Math.max(1, capacity);
        this.batch = a.batch();
        this.tau = a.tau();
        this.discount = a.discount();
    }

    /** μ(s), no noise. */
    float act(float[] state) {
        try (var g = Tensor.noGrad()) {
            return actor.call(Tensor.fromArray(state, 1, state.length)).item();
        }
    }

    /** μ(s) plus truncated normal noise of scale {@code sigma}, in [0, 1]. */
    float explore(float[] state, double sigma) {
        return (float) truncatedNormal(act(state), sigma, rng);
    }

    /** A draw of N(mu, sigma) conditioned on [0, 1] (by rejection; the clipped mean after 1000 misses). */
    static double truncatedNormal(double mu, double sigma, Generator g) {
        for (int i = 0; i < 1000; i++) {
            double x = mu + sigma * g.nextGaussian();
            if (x >= 0 && x <= 1) return x;
        }
        return Math.min(1, Math.max(0, mu));
    }

    void remember(Transition t) {
        if (memory.size() < capacity) memory.add(t);
        else memory.set(next, t);
        next = (next + 1) % capacity;
    }

    int remembered() {
        return memory.size();
    }

    /** One update of critic, actor and targets from a batch drawn uniformly from the memory. */
    void update() {
        if (memory.isEmpty()) return;
        int n = batch, d = memory.get(0).state().length;
        float[] s = new float[n * d], s1 = new float[n * d], a = new float[n], r = new float[n], live = new float[n];
        double mean = 0;
        for (int i = 0; i < n; i++) {
            Transition t = memory.get(rng.nextInt(memory.size()));
            System.arraycopy(t.state(), 0, s, i * d, d);
            System.arraycopy(t.next(), 0, s1, i * d, d);
            a[i] = t.action();
            r[i] = t.reward();
            live[i] = t.done() ? 0f : 1f;
            mean += t.reward();
        }
        mean /= n;
        movingAverage = movingAverage == null ? mean : movingAverage + 0.5 * (mean - movingAverage);
        for (int i = 0; i < n; i++) r[i] -= movingAverage.floatValue();
        Tensor states = Tensor.fromArray(s, n, d), actions = Tensor.fromArray(a, n, 1);
        Tensor target;
        try (var g = Tensor.noGrad()) {
            Tensor nextStates = Tensor.fromArray(s1, n, d);
            Tensor q1 = criticTarget.q(nextStates, actorTarget.call(nextStates));
            target = Tensor.fromArray(r, n, 1).add(q1.mul(Tensor.fromArray(live, n, 1)).mul((float) discount));
        }
        criticOpt.zeroGrad();
        Losses.mse(critic.q(states, actions), target, Reduction.MEAN).backward();
        criticOpt.step();
        actorOpt.zeroGrad();
        critic.zeroGrad();
        critic.q(states, actor.call(states)).mean().neg().backward();
        actorOpt.step();
        critic.zeroGrad();
        copy(actor, actorTarget, tau);
        copy(critic, criticTarget, tau);
    }

    /** target ← (1 − w)·target + w·source. */
    private static void copy(Module source, Module target, double w) {
        List<Parameter> src = source.parameters(), dst = target.parameters();
        try (var g = Tensor.noGrad()) {
            for (int i = 0; i < src.size(); i++) {
                Tensor t = dst.get(i).value();
                t.copyInPlace(w == 1 ? src.get(i).value() : t.mul((float) (1 - w)).add(src.get(i).value().mul((float) w)));
            }
        }
    }

    /** The actor (states → sigmoid) or the critic (fc11(s) + fc12(a) → ReLU → fc2 → ReLU → fc3). */
    static final class Net extends Module {
        private final boolean actor;

        Net(int states, int actions, int hidden, boolean actor, Generator g) {
            this.actor = actor;
            register("fc1", init(new Linear(states, hidden), g));
            if (!actor) register("fca", init(new Linear(actions, hidden), g));
            register("fc2", init(new Linear(hidden, hidden), g));
            register("fc3", init(new Linear(hidden, 1), g));
        }

        /** PyTorch's default: weight and bias uniform in ±1/√fan_in, from {@code g}. */
        private static Linear init(Linear l, Generator g) {
            float bound = (float) (1 / Math.sqrt(l.weight().shape()[1]));
            try (var ng = Tensor.noGrad()) {
                for (Parameter p : l.parameters()) p.value().copyInPlace(Tensor.rand(g, p.shape()).mul(2 * bound).sub(bound));
            }
            return l;
        }

        @Override
        public Tensor forward(Tensor s) {
            if (!actor) throw new UnsupportedOperationException("the critic takes a state and an action: q(s, a)");
            Tensor h = child("fc2").call(child("fc1").call(s).relu()).relu();
            return child("fc3").call(h).sigmoid();
        }

        Tensor q(Tensor s, Tensor a) {
            Tensor h = child("fc1").call(s).add(child("fca").call(a)).relu();
            return child("fc3").call(child("fc2").call(h).relu());
        }
    }
}
