package io.github.backprop4j.optim;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;

/**
 * The built-in {@link GradientTransform}s, as records so that they compare and print by value. Each is also a
 * {@link Fused} transform, which {@link TransformedOptimizer} calls to write the transformed gradient into a
 * reused buffer instead of a new matrix per step; both forms give the same bits.
 */
final class GradientTransforms {

    private GradientTransforms() {
    }

    /** A transform that can write its result into a given buffer. */
    interface Fused extends GradientTransform {
        /**
         * Writes the transformed gradient into {@code out}, or leaves it alone and returns the gradient.
         *
         * @param parameter {@code θ}, not changed
         * @param gradient the gradient so far; may be {@code out} itself
         * @param state the parameter's state
         * @param out a writable buffer of the gradient's shape and precision
         * @return {@code out}, or {@code gradient} if this transform leaves it unchanged
         */
        Matrix transformInto(Matrix parameter, Matrix gradient, ParameterState state, Matrix out);

        @Override
        default Matrix transform(Matrix parameter, Matrix gradient, ParameterState state) {
            return transformInto(parameter, gradient, state, gradient.copy());
        }
    }

    /** {@code g ← g + λ·θ}. */
    record L2(double lambda) implements Fused {
        L2 {
            Checks.nonNegativeFinite(lambda, "lambda");
        }

        @Override
        public Matrix transformInto(Matrix parameter, Matrix gradient, ParameterState state, Matrix out) {
            if (out != gradient) {
                out.copyFrom(gradient);
            }
            out.addScaled(lambda, parameter); // g ← g + λ·θ
            return out;
        }
    }

    /** {@code g ← g + λ·sign(θ)}. */
    record L1(double lambda) implements Fused {
        L1 {
            Checks.nonNegativeFinite(lambda, "lambda");
        }

        @Override
        public Matrix transformInto(Matrix parameter, Matrix gradient, ParameterState state, Matrix out) {
            Matrix.addScaledSign(gradient, lambda, parameter, out); // g ← g + λ·sign(θ)
            return out;
        }
    }

    /** {@code g ← min(max(g, −c), c)}. */
    record ClipByValue(double limit) implements Fused {
        ClipByValue {
            Checks.positiveFinite(limit, "limit");
        }

        @Override
        public Matrix transformInto(Matrix parameter, Matrix gradient, ParameterState state, Matrix out) {
            gradient.clamp(-limit, limit, out); // g ← min(max(g, −c), c)
            return out;
        }
    }

    /** Another transform, applied to one kind of parameter only. */
    record OnlyFor(GradientTransform transform, ParameterKind kind) implements Fused {
        OnlyFor {
            Checks.notNull(transform, "transform");
            Checks.notNull(kind, "kind");
        }

        @Override
        public Matrix transform(Matrix parameter, Matrix gradient, ParameterState state) {
            return state.kind() == kind ? transform.transform(parameter, gradient, state) : gradient;
        }

        /** The wrapped transform's fused form if it has one; else its plain form, whose result is returned. */
        @Override
        public Matrix transformInto(Matrix parameter, Matrix gradient, ParameterState state, Matrix out) {
            if (state.kind() != kind) {
                return gradient;
            }
            return transform instanceof Fused f ? f.transformInto(parameter, gradient, state, out)
                    : transform.transform(parameter, gradient.readOnlyView(), state);
        }
    }
}
