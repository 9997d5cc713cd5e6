package io.github.backprop4j.optim;

import io.github.backprop4j.math.Matrix;

/**
 * A change made to one parameter's gradient before an optimizer sees it: a penalty's gradient added, or
 * the gradient clipped. Attached to any optimizer, built-in or user-written, with
 * {@link Optimizer#transformingGradients(GradientTransform)} or the shortcuts {@link Optimizer#withL2},
 * {@link Optimizer#withL1} and {@link Optimizer#clippedByValue}.
 *
 * <p>A transform must not change the parameter or the gradient it is given; it returns either the given
 * gradient or a new matrix of the same shape and precision. Built-in transforms are immutable, compare by
 * value, and are shareable. A transform that needs memory can keep buffers in the {@link ParameterState}.
 */
@FunctionalInterface
public interface GradientTransform {

    /**
     * L2 regularisation, coupled weight decay as torch.optim's {@code weight_decay} adds it:
     * {@code g ← g + λ·θ}, biases included (see {@link #onlyFor(ParameterKind)}).
     *
     * @param lambda {@code λ}, finite and &ge; 0
     * @return the transform
     * @throws IllegalArgumentException if lambda is negative or not finite
     */
    static GradientTransform l2(double lambda) {
        return new GradientTransforms.L2(lambda);
    }

    /**
     * L1 regularisation, the (sub)gradient of {@code λ·Σ|θ|}: {@code g ← g + λ·sign(θ)}, with
     * {@code sign(0) = 0}; biases included (see {@link #onlyFor(ParameterKind)}).
     *
     * @param lambda {@code λ}, finite and &ge; 0
     * @return the transform
     * @throws IllegalArgumentException if lambda is negative or not finite
     */
    static GradientTransform l1(double lambda) {
        return new GradientTransforms.L1(lambda);
    }

    /**
     * Clipping by value, as Keras' {@code clipvalue} and torch's {@code clip_grad_value_}:
     * {@code g ← min(max(g, −c), c)} element by element.
     *
     * @param limit {@code c}, finite and &gt; 0
     * @return the transform
     * @throws IllegalArgumentException if the limit is not finite and positive
     */
    static GradientTransform clipByValue(double limit) {
        return new GradientTransforms.ClipByValue(limit);
    }

    /**
     * Returns the gradient the optimizer should use for one parameter.
     *
     * @param parameter {@code θ}, the weights {@code [out × in]} or bias {@code [1 × out]} before the step,
     *     read-only
     * @param gradient the gradient so far, of the same shape; must not be changed
     * @param state the parameter's state: its layer, kind, step and buffers
     * @return {@code gradient} itself or a new matrix of the same shape and precision
     */
    Matrix transform(Matrix parameter, Matrix gradient, ParameterState state);

    /**
     * Returns this transform restricted to one kind of parameter; every other kind's gradient passes
     * unchanged. {@code GradientTransform.l2(λ).onlyFor(ParameterKind.WEIGHTS)} is weight decay of the dense
     * weights alone (those of a residual block's inner layers included), sparing the biases, the scales and
     * shifts of normalization layers and the embedding tables; chain {@code .onlyFor(ParameterKind.EMBEDDING)}
     * transforms to add the tables. Without {@code onlyFor}, a transform applies to every kind.
     *
     * @param kind the kind to transform
     * @return the restricted transform
     * @throws NullPointerException if {@code kind} is {@code null}
     */
    default GradientTransform onlyFor(ParameterKind kind) {
        return new GradientTransforms.OnlyFor(this, kind);
    }
}
