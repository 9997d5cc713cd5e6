package io.github.backprop4j.optim;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import java.util.ArrayList;
import java.util.List;

/**
 * An optimizer whose gradients pass through {@link GradientTransform}s first, in the order they were
 * added: {@code g ← t₁(θ, g)}, {@code g ← t₂(θ, g)}, …, then the wrapped optimizer's update with that
 * {@code g}. Immutable if its parts are.
 */
final class TransformedOptimizer implements Optimizer {

    private final Optimizer optimizer;
    private final List<GradientTransform> transforms;

    private TransformedOptimizer(Optimizer optimizer, List<GradientTransform> transforms) {
        this.optimizer = optimizer;
        this.transforms = List.copyOf(transforms);
    }

    /** Adds {@code transform} after any transforms {@code optimizer} already has. */
    static Optimizer of(Optimizer optimizer, GradientTransform transform) {
        Checks.notNull(transform, "transform");
        if (optimizer instanceof TransformedOptimizer t) {
            List<GradientTransform> all = new ArrayList<>(t.transforms);
            all.add(transform);
            return new TransformedOptimizer(t.optimizer, all);
        }
        return new TransformedOptimizer(optimizer, List.of(transform));
    }

    @Override
    public double learningRate() {
        return optimizer.learningRate();
    }

    /**
     * {@code g ← tₖ(θ, g)} for each transform in order, then the wrapped update. The built-in transforms write
     * into one buffer of the parameter state, reused from step to step, rather than a new matrix each.
     */
    @Override
    public void update(Matrix parameter, Matrix gradient, double eta, ParameterState state) {
        Matrix theta = parameter.readOnlyView();
        Matrix scratch = state.scratch();
        // A gradient that is the buffer already comes from an enclosing chain (a custom optimizer wrapping this
        // one), which may still read it: then this chain writes new matrices instead.
        Matrix out = gradient == scratch ? null : scratch;
        Matrix g = gradient;
        for (GradientTransform t : transforms) {
            Matrix next = t instanceof GradientTransforms.Fused f && out != null
                    ? f.transformInto(theta, g, state, out) //  g may be out: the transforms work element by element
                    : t.transform(theta, g.readOnlyView(), state);
            if (next == null || next.rows() != g.rows() || next.cols() != g.cols()
                    || next.precision() != g.precision()) {
                throw new IllegalStateException(t + " returned " + next + " for layer " + state.layer() + " "
                        + state.kind().label() + " but the gradient is " + g);
            }
            g = next;
        }
        optimizer.update(parameter, g == gradient ? gradient.readOnlyView() : g, eta, state);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TransformedOptimizer o && o.optimizer.equals(optimizer)
                && o.transforms.equals(transforms);
    }

    @Override
    public int hashCode() {
        return 31 * optimizer.hashCode() + transforms.hashCode();
    }

    @Override
    public String toString() {
        return optimizer + " with gradient transforms " + transforms;
    }
}
