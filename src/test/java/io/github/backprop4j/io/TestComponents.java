package io.github.backprop4j.io;

import io.github.backprop4j.Activation;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.ParameterState;
import java.util.Map;
import java.util.Set;

/** Registered through META-INF/services, to test {@link java.util.ServiceLoader} discovery. */
public final class TestComponents implements ComponentProvider {

    /** A user-defined activation that only the provider registers. */
    static final Activation SOFTSIGN = Activation.elementwise("test_softsign", z -> z / (1 + Math.abs(z)),
            (z, a) -> 1 / ((1 + Math.abs(z)) * (1 + Math.abs(z))));

    @Override
    public void registerComponents() {
        Components.register(SOFTSIGN);
        Components.registerOptimizer("test_momentum", Momentum.class,
                m -> Map.of("learning_rate", m.learningRate, "momentum", m.momentum), p -> {
                    if (!p.keySet().equals(Set.of("learning_rate", "momentum"))) {
                        throw new IllegalArgumentException("test_momentum takes learning_rate and momentum, got "
                                + p.keySet());
                    }
                    return new Momentum(p.get("learning_rate"), p.get("momentum"));
                });
    }

    /** A user-defined optimizer with state: {@code v ← μ·v + g; θ ← θ − η·v}. */
    record Momentum(double learningRate, double momentum) implements Optimizer {
        @Override
        public void update(Matrix parameter, Matrix gradient, double eta, ParameterState state) {
            Matrix v = state.slot("velocity");
            v.scale(momentum); //       v ← μ·v
            v.addScaled(1, gradient); //    + g
            parameter.addScaled(-eta, v); // θ ← θ − η·v
        }
    }
}
