package dev.tersor.nn.optim;

import dev.tersor.nn.Parameter;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/** The optimizer cases of {@code optim/generate.py}, built the same way in Java. */
final class OptimizerCases {
    private OptimizerCases() {
    }

    /** A named case: which golden parameters it trains and how to build its optimizer over them. */
    record Case(String name, List<String> params, Function<Map<String, Parameter>, Optimizer<?>> make) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case one(String name, Function<List<Parameter>, Optimizer<?>> make) {
        return new Case(name, List.of("a"), m -> make.apply(List.of(m.get("a"))));
    }

    static Sgd.Builder sgd(double lr) {
        return Sgd.options(lr);
    }

    static final List<Case> ALL = List.of(
            one("sgd_plain", p -> new Sgd(p, sgd(0.1).build())),
            one("sgd_momentum", p -> new Sgd(p, sgd(0.1).momentum(0.9).build())),
            one("sgd_dampening", p -> new Sgd(p, sgd(0.1).momentum(0.9).dampening(0.3).build())),
            one("sgd_nesterov", p -> new Sgd(p, sgd(0.1).momentum(0.9).nesterov(true).build())),
            one("sgd_weight_decay", p -> new Sgd(p, sgd(0.1).weightDecay(0.05).build())),
            one("sgd_momentum_weight_decay", p -> new Sgd(p, sgd(0.1).momentum(0.5).weightDecay(0.05).build())),
            one("adam", p -> new Adam(p, Adam.options().lr(0.01).build())),
            one("adam_betas_eps", p -> new Adam(p, Adam.options().lr(0.02).betas(0.8, 0.99).eps(1e-3).build())),
            one("adam_amsgrad", p -> new Adam(p, Adam.options().lr(0.01).amsgrad(true).build())),
            one("adam_weight_decay", p -> new Adam(p, Adam.options().lr(0.01).weightDecay(0.1).build())),
            one("adam_amsgrad_weight_decay",
                    p -> new Adam(p, Adam.options().lr(0.01).amsgrad(true).weightDecay(0.1).eps(1e-6).build())),
            one("adamw", p -> new AdamW(p, AdamW.options().lr(0.01).weightDecay(0.1).build())),
            one("adamw_amsgrad", p -> new AdamW(p, AdamW.options().lr(0.01).weightDecay(0.1).amsgrad(true).build())),
            one("rmsprop", p -> new RmsProp(p, RmsProp.options().lr(0.01).build())),
            one("rmsprop_centered", p -> new RmsProp(p, RmsProp.options().lr(0.01).alpha(0.9).centered(true).build())),
            one("rmsprop_momentum", p -> new RmsProp(p, RmsProp.options().lr(0.01).momentum(0.9).build())),
            one("rmsprop_centered_momentum_weight_decay", p -> new RmsProp(p, RmsProp.options().lr(0.01).alpha(0.95)
                    .centered(true).momentum(0.5).weightDecay(0.1).eps(1e-4).build())),
            new Case("sgd_groups", List.of("a", "b"), m -> new Sgd(List.of(
                    new ParamGroup<>(List.of(m.get("a")), sgd(0.1).momentum(0.9).build()),
                    new ParamGroup<>(List.of(m.get("b")), sgd(0.01).momentum(0.9).weightDecay(0.1).build())))),
            new Case("adam_groups", List.of("a", "b"), m -> new Adam(List.of(
                    new ParamGroup<>(List.of(m.get("a")), Adam.options().lr(0.01).build()),
                    new ParamGroup<>(List.of(m.get("b")), Adam.options().lr(0.001).weightDecay(0.1).amsgrad(true).build())))),
            new Case("rmsprop_groups", List.of("a", "b"), m -> new RmsProp(List.of(
                    new ParamGroup<>(List.of(m.get("a")), RmsProp.options().lr(0.01).centered(true).build()),
                    new ParamGroup<>(List.of(m.get("b")), RmsProp.options().lr(0.02).momentum(0.9).build())))));

    static Stream<Case> all() {
        return ALL.stream();
    }
}
