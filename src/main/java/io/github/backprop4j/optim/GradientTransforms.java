package io.github.backprop4j.optim;

import io.github.backprop4j.math.Checks;
import io.github.backprop4j.math.Matrix;

/** The built-in {@link GradientTransform}s, as records so that they compare and print by value. */
final class GradientTransforms {

    private GradientTransforms() {
    }

    /** {@code g ← g + λ·θ}. */
    record L2(double lambda) implements GradientTransform {
        L2 {
            Checks.nonNegativeFinite(lambda, "lambda");
        }

        @Override
        public Matrix transform(Matrix parameter, Matrix gradient, ParameterState state) {
            Matrix g = gradient.copy();
            g.addScaled(lambda, parameter); // g ← g + λ·θ
            return g;
        }
    }

    /** {@code g ← g + λ·sign(θ)}. */
    record L1(double lambda) implements GradientTransform {
        L1 {
            Checks.nonNegativeFinite(lambda, "lambda");
        }

        @Override
        public Matrix transform(Matrix parameter, Matrix gradient, ParameterState state) {
            Matrix g = gradient.copy();
            Matrix.zip(gradient, parameter, (gi, theta) -> gi + lambda * Math.signum(theta), g); // g + λ·sign θ
            return g;
        }
    }

    /** {@code g ← min(max(g, −c), c)}. */
    record ClipByValue(double limit) implements GradientTransform {
        ClipByValue {
            Checks.positiveFinite(limit, "limit");
        }

        @Override
        public Matrix transform(Matrix parameter, Matrix gradient, ParameterState state) {
            Matrix g = gradient.copy();
            gradient.map(gi -> Math.min(Math.max(gi, -limit), limit), g); // g ← clip(g, −c, c)
            return g;
        }
    }

    /** Another transform, applied to one kind of parameter only. */
    record OnlyFor(GradientTransform transform, ParameterKind kind) implements GradientTransform {
        OnlyFor {
            Checks.notNull(transform, "transform");
            Checks.notNull(kind, "kind");
        }

        @Override
        public Matrix transform(Matrix parameter, Matrix gradient, ParameterState state) {
            return state.kind() == kind ? transform.transform(parameter, gradient, state) : gradient;
        }
    }
}
