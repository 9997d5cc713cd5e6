package io.github.backprop4j.optim;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import java.util.Set;
import java.util.TreeSet;

/**
 * An optimizer that leaves the parameters of chosen layers untouched, neither updating them nor creating
 * their buffers, and updates every other layer with the wrapped optimizer. Immutable if its part is.
 */
final class FrozenLayers implements Optimizer {

    private final Optimizer optimizer;
    private final Set<Integer> frozen;

    private FrozenLayers(Optimizer optimizer, Set<Integer> frozen) {
        this.optimizer = optimizer;
        this.frozen = Set.copyOf(frozen);
    }

    /** Freezes {@code layers} in addition to any layers {@code optimizer} already freezes. */
    static Optimizer of(Optimizer optimizer, int... layers) {
        Checks.notNull(layers, "layers");
        if (layers.length == 0) {
            throw new IllegalArgumentException("freezing needs at least one layer number, was none");
        }
        Set<Integer> all = new TreeSet<>();
        Optimizer inner = optimizer;
        if (optimizer instanceof FrozenLayers f) {
            all.addAll(f.frozen);
            inner = f.optimizer;
        }
        for (int layer : layers) {
            all.add(Checks.positive(layer, "layer"));
        }
        return new FrozenLayers(inner, all);
    }

    @Override
    public double learningRate() {
        return optimizer.learningRate();
    }

    /** Keeps the transforms inside the freezing, so that their order stays the order written. */
    @Override
    public Optimizer transformingGradients(GradientTransform transform) {
        return new FrozenLayers(optimizer.transformingGradients(transform), frozen);
    }

    /** {@code θ ← θ} for a frozen layer; the wrapped update otherwise. */
    @Override
    public void update(Matrix parameter, Matrix gradient, double eta, ParameterState state) {
        if (!frozen.contains(state.layer())) {
            optimizer.update(parameter, gradient, eta, state);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FrozenLayers o && o.optimizer.equals(optimizer) && o.frozen.equals(frozen);
    }

    @Override
    public int hashCode() {
        return 31 * optimizer.hashCode() + frozen.hashCode();
    }

    @Override
    public String toString() {
        return optimizer + " with layers " + new TreeSet<>(frozen) + " frozen";
    }
}
