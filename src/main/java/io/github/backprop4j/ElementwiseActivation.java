package io.github.backprop4j;

import io.github.backprop4j.math.Matrix;

/**
 * An activation applied to each weighted sum on its own: {@code aᵢ = σ(zᵢ)}. Implement {@link #value} and
 * {@link #derivative}; the forward and backward steps over whole batches come for free.
 */
public interface ElementwiseActivation extends Activation {

    /**
     * Returns {@code σ(z)}.
     *
     * @param z a weighted sum
     * @return the activation
     */
    double value(double z);

    /**
     * Returns {@code σ'(z)}, given both {@code z} and {@code a = σ(z)} so that an implementation can use
     * whichever is cheaper (for the sigmoid, {@code a·(1 − a)}).
     *
     * @param z a weighted sum
     * @param a {@code σ(z)}
     * @return the derivative at {@code z}
     */
    double derivative(double z, double a);

    /** {@code a = σ(z)}, element by element. */
    @Override
    default void forward(Matrix z, Matrix a) {
        z.map(this::value, a);
    }

    /** {@code ∂C/∂z = ∂C/∂a ⊙ σ'(z)}, element by element. */
    @Override
    default void backward(Matrix z, Matrix a, Matrix upstream, Matrix out) {
        Matrix.mapBackward(z, a, upstream, this::derivative, out);
    }
}
