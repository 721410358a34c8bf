package dev.tersor.compress.prune.meta;

import dev.tersor.compress.prune.ChannelGraph;
import dev.tersor.compress.prune.ChannelGraph.Family;
import dev.tersor.compress.prune.ChannelTrace;
import dev.tersor.compress.prune.Criteria;
import dev.tersor.compress.prune.PruningTarget.Scope;
import dev.tersor.compress.prune.meta.CacpEnvironment.Episode;
import dev.tersor.nn.Module;
import dev.tersor.nn.data.Batch;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * CACP (Liu et al., "Conditional Automated Channel Pruning for Deep Neural Networks", arXiv
 * 2009.09724, IEEE SPL 2021; the authors' code liuyixin-louis/CACP): one reinforcement-learning
 * search whose agent is conditioned on the target compression rate, so the one trained policy
 * gives the per-family pruning fractions for each of several rates instead of one search per
 * rate. It is AMC's DDPG channel pruning ({@link Ddpg}, {@link CacpEnvironment}) with the target
 * density in the state, and the episodes cycling through the rates (episode e targets
 * rates[e mod R], {@code env.change()}).
 *
 * <p>An episode prunes the families one by one (the constraint clamp guarantees the rate); its
 * reward, given to every step, is the pruned model's top-1 accuracy on the validation batches
 * (held out of the training split). The official reward function
 * {@code mac-constrained-conditional-reward} divides top-1 by a rate-dependent factor, but it
 * compares the float rate with strings ({@code target_density == "0.3"}), so the factor is always
 * 100: the reward is accuracy, as here. Deviations: channels are chosen by L1 norm and the
 * pruned model's batch norms are recalibrated on a few training batches, where the official
 * {@code fm-reconstruction} ranks by L1 and refits the next layer's weights by least squares on
 * sampled feature maps; masking stands in for physical pruning ({@link ChannelMask}).
 *
 * <p>Official settings ({@code script/search_export_cacp.sh}, {@code cacp.py},
 * {@code hanlab_if.py}): 100 heat-up episodes of uniform random actions, then 800 with the actor
 * plus truncated normal noise σ = 0.5·0.95^(e − 100), replay memory of the heat-up's transitions,
 * batch 256, τ = 0.01, γ = 1, actor lr 1e-4, critic lr 1e-3, hidden 300, actions in [0.05, 1].
 */
public final class Cacp {
    private Cacp() {
    }

    /**
     * The DDPG agent's settings.
     *
     * @param hidden units of each hidden layer (official 300)
     * @param actorLr Adam learning rate of the actor (1e-4)
     * @param criticLr of the critic (1e-3)
     * @param tau soft target update (0.01)
     * @param batch transitions per update (256)
     * @param noise initial exploration σ (0.5)
     * @param noiseDecay σ's decay per episode (0.95)
     * @param discount γ (1)
     */
    public record Agent(int hidden, double actorLr, double criticLr, double tau, int batch, double noise, double noiseDecay, double discount) {
        /** The official values. */
        public static final Agent OFFICIAL = new Agent(300, 1e-4, 1e-3, 0.01, 256, 0.5, 0.95, 1.0);

        public Agent {
            if (hidden < 1 || batch < 1) throw new IllegalArgumentException("CACP: hidden and batch must be >= 1, got " + hidden + " and " + batch);
            for (double v : new double[] {actorLr, criticLr, noise}) {
                if (!(v > 0) || Double.isInfinite(v)) throw new IllegalArgumentException("CACP: learning rates and noise must be finite and > 0");
            }
            if (!(tau > 0 && tau <= 1) || !(noiseDecay > 0 && noiseDecay <= 1) || !(discount >= 0 && discount <= 1)) {
                throw new IllegalArgumentException("CACP: tau and the noise decay must be in (0, 1], the discount in [0, 1], got " + tau + ", "
                        + noiseDecay + ", " + discount);
            }
        }
    }

    /**
     * @param rates the FLOPs reductions the policy is trained for (e.g. 0.3, 0.5, 0.7), each in (0, 1)
     * @param heatupEpisodes episodes of random actions before the agent learns (official 100)
     * @param trainingEpisodes episodes after (official 800)
     * @param actionLow least fraction pruned per family (0.05)
     * @param actionHigh most (1; at least one group is kept)
     * @param scope families pruned ({@link Scope#INTERNAL}: block-inner channels, as the official ResNet configuration)
     * @param agent the DDPG settings
     * @param recalibrationBatches training batches recalibrating the batch norms before each reward
     * @param validationBatches validation batches per reward (0: all)
     * @param seed seeds the agent and the exploration
     */
    public record Options(double[] rates, int heatupEpisodes, int trainingEpisodes, double actionLow, double actionHigh, Scope scope, Agent agent,
            int recalibrationBatches, int validationBatches, long seed) {
        public Options {
            if (rates == null || rates.length == 0) throw new IllegalArgumentException("CACP: give at least one target rate");
            rates = rates.clone();
            for (double r : rates) if (!(r > 0 && r < 1)) throw new IllegalArgumentException("CACP: target rates must be in (0, 1), got " + r);
            if (heatupEpisodes < 0 || trainingEpisodes < 0 || heatupEpisodes + trainingEpisodes < 1) {
                throw new IllegalArgumentException("CACP: episodes must be >= 0 and at least one in all, got " + heatupEpisodes + " and " + trainingEpisodes);
            }
            if (!(actionLow >= 0 && actionLow <= actionHigh && actionHigh <= 1)) {
                throw new IllegalArgumentException("CACP: need 0 <= actionLow <= actionHigh <= 1, got " + actionLow + " and " + actionHigh);
            }
            if (scope == null || agent == null) throw new IllegalArgumentException("CACP: null setting");
            if (recalibrationBatches < 0 || validationBatches < 0) throw new IllegalArgumentException("CACP: batch counts must be >= 0");
        }

        /** The official search for {@code rates}: 100 + 800 episodes, actions [0.05, 1], all families, 10 recalibration batches. */
        public static Options of(double... rates) {
            return new Options(rates, 100, 800, 0.05, 1.0, Scope.ALL, Agent.OFFICIAL, 10, 0, 1);
        }

        /** These options with other episode counts. */
        public Options withEpisodes(int heatup, int training) {
            return new Options(rates, heatup, training, actionLow, actionHigh, scope, agent, recalibrationBatches, validationBatches, seed);
        }

        /** These options with another scope. */
        public Options with(Scope s) {
            return new Options(rates, heatupEpisodes, trainingEpisodes, actionLow, actionHigh, s, agent, recalibrationBatches, validationBatches, seed);
        }

        /** These options with another agent. */
        public Options with(Agent a) {
            return new Options(rates, heatupEpisodes, trainingEpisodes, actionLow, actionHigh, scope, a, recalibrationBatches, validationBatches, seed);
        }

        /** These options with other batch counts and seed. */
        public Options withBatches(int recalibration, int validation, long s) {
            return new Options(rates, heatupEpisodes, trainingEpisodes, actionLow, actionHigh, scope, agent, recalibration, validation, s);
        }

        @Override
        public double[] rates() {
            return rates.clone();
        }
    }

    /** The best episode seen for one trained rate. */
    public record Best(double rate, double accuracy, double[] fractions, Set<Integer> removed, int episode) {
    }

    /** The trained conditional policy. */
    public static final class Policy {
        private final ChannelGraph graph;
        private final CacpEnvironment env;
        private final Ddpg agent;
        private final Map<Double, Best> best;

        Policy(ChannelGraph graph, CacpEnvironment env, Ddpg agent, Map<Double, Best> best) {
            this.graph = graph;
            this.env = env;
            this.agent = agent;
            this.best = best;
        }

        /**
         * The groups to remove for a FLOPs reduction of {@code rate}: the actor's actions without
         * noise, conditioned on the rate and clamped so that the rate is met.
         *
         * @param graph the graph of the same (unpruned) architecture the policy was trained on
         * @throws IllegalArgumentException if the graph's families differ, or the rate cannot be met
         */
        public Set<Integer> removed(ChannelGraph graph, double rate) {
            return rollout(graph, rate).removed;
        }

        /** The fraction of each family pruned for {@code rate} (see {@link #removed}). */
        public double[] fractions(ChannelGraph graph, double rate) {
            return rollout(graph, rate).fractions.clone();
        }

        /** The families the policy prunes, in order. */
        public List<Family> families() {
            return env.families();
        }

        /** The best episode found during training for a trained rate (the official search exports these), or null. */
        public Best best(double rate) {
            return best.get(rate);
        }

        private Episode rollout(ChannelGraph g, double rate) {
            if (!(rate > 0 && rate < 1)) throw new IllegalArgumentException("CACP: the rate must be in (0, 1), got " + rate);
            List<Family> mine = env.families(), theirs = new ArrayList<>();
            for (Family f : g.families()) if (mine.stream().anyMatch(m -> m.producers().equals(f.producers()))) theirs.add(f);
            if (!theirs.equals(mine) || g.groups().size() != graph.groups().size()) {
                throw new IllegalArgumentException("CACP: the policy was trained on another architecture (its families " + describe(mine)
                        + ", this graph's " + describe(g.families()) + ")");
            }
            Episode ep = env.start(rate);
            while (!ep.done()) ep.step(agent.act(ep.state()));
            return ep;
        }

        private static String describe(List<Family> fs) {
            StringBuilder sb = new StringBuilder("[");
            for (Family f : fs) sb.append(sb.length() > 1 ? ", " : "").append(f.producers().get(0)).append(':').append(f.size());
            return sb.append(']').toString();
        }
    }

    /**
     * Trains the conditional policy on {@code model} (left unchanged).
     *
     * @param sample an input batch like the model's
     * @param train training batches (batch-norm recalibration)
     * @param validation held-out batches from the training split (rewards)
     * @param progress told about each episode (may be null)
     * @throws IllegalArgumentException if a rate cannot be met with every family pruned by 90%
     */
    public static Policy train(Module model, Tensor sample, Iterable<Batch> train, Iterable<Batch> validation, Options opts, Consumer<String> progress) {
        ChannelGraph graph = ChannelTrace.trace(model, sample);
        List<Family> families = new ArrayList<>();
        for (Family f : graph.families()) if (opts.scope() == Scope.ALL || f.producers().size() == 1) families.add(f);
        if (families.isEmpty()) throw new IllegalArgumentException("CACP: the model has no prunable channel family in scope " + opts.scope());
        CacpEnvironment env = new CacpEnvironment(model, graph, families, Criteria.l1().scores(model, graph), opts.actionLow(), opts.actionHigh());
        double[] rates = opts.rates();
        for (double r : rates) env.start(r);   // fails early for a rate that cannot be met
        Generator rng = new Generator(opts.seed());
        Ddpg agent = new Ddpg(CacpEnvironment.FEATURES, opts.agent(), Math.max(1, opts.heatupEpisodes()) * env.steps(), rng);
        Map<String, Tensor> weights = ChannelMask.weights(model, graph);
        Map<String, Tensor> buffers = Scoring.buffers(model);
        boolean wasTraining = model.isTraining();
        Map<Double, Best> best = new java.util.LinkedHashMap<>();
        int total = opts.heatupEpisodes() + opts.trainingEpisodes();
        try {
            for (int e = 0; e < total; e++) {
                double rate = rates[e % rates.length];
                Episode ep = env.start(rate);
                List<float[]> states = new ArrayList<>();
                List<Float> actions = new ArrayList<>();
                while (!ep.done()) {
                    float[] s = ep.state();
                    float a = e <= opts.heatupEpisodes() ? (float) rng.nextDouble()
                            : agent.explore(s, opts.agent().noise() * Math.pow(opts.agent().noiseDecay(), e - opts.heatupEpisodes()));
                    states.add(s);
                    actions.add(a);
                    ep.step(a);
                }
                states.add(ep.state());
                double reward = accuracy(model, graph, ep.removed, weights, buffers, train, validation, opts);
                for (int t = 0; t < actions.size(); t++) {
                    agent.remember(new Ddpg.Transition(states.get(t), actions.get(t), (float) reward, states.get(t + 1), t + 1 == actions.size()));
                    if (e > opts.heatupEpisodes()) agent.update();
                }
                Best b = best.get(rate);
                if (b == null || reward > b.accuracy()) {
                    best.put(rate, new Best(rate, reward, ep.fractions.clone(), Collections.unmodifiableSet(ep.removed), e));
                }
                if (progress != null) {
                    progress.accept(String.format(Locale.ROOT, "CACP episode %d/%d rate %.2f: accuracy %.4f, MACs %.1f%%, fractions %s", e + 1, total,
                            rate, reward, 100.0 * graph.macs(ep.removed) / graph.macs(), fmt(ep.fractions)));
                }
            }
        } finally {
            ChannelMask.restore(model, weights);
            Scoring.restore(model, buffers);
            if (wasTraining) model.train();
            else model.eval();
        }
        return new Policy(graph, env, agent, Map.copyOf(best));
    }

    private static double accuracy(Module model, ChannelGraph graph, Set<Integer> removed, Map<String, Tensor> weights, Map<String, Tensor> buffers,
            Iterable<Batch> train, Iterable<Batch> validation, Options opts) {
        new ChannelMask(graph, removed).apply(model, weights);
        Scoring.restore(model, buffers);
        Scoring.recalibrate(model, train, opts.recalibrationBatches());
        return Scoring.accuracy(model, validation, opts.validationBatches());
    }

    private static String fmt(double[] f) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < f.length; i++) sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", f[i]));
        return sb.append(']').toString();
    }
}
