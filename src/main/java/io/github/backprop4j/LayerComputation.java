package io.github.backprop4j;

import io.github.backprop4j.math.Matrix;
import java.util.List;
import java.util.Map;

/**
 * The mutable side of one {@link Layer} during one training run, made by {@link Layer#newComputation()}: its
 * parameters as writable copies that the optimizer updates in place, their gradients, and whatever the forward
 * pass must keep for the backward pass. This is the one implementation of a kind's equations that training,
 * the readable {@code ForwardPass}/{@code Backpropagator} path and prediction share.
 *
 * <p>A step is {@link #forward(Matrix, Matrix, Matrix, boolean)} on a batch, then, with the same input,
 * {@link #backward(Matrix, Matrix, Matrix)}; buffers are kept per batch size (the last two sizes seen), so a
 * steady state of full batches and a shorter last one allocates nothing. Not thread-safe; only the layer's own
 * package can make one.
 */
public abstract class LayerComputation {

    LayerComputation() {
    }

    /**
     * The layer's own computation, {@code z = f(x; θ)}, before its activation; keeps what
     * {@link #backward} needs (normalized values, statistics). In training mode batch normalization uses the
     * batch's statistics and updates its running ones; otherwise it uses the running ones.
     *
     * @param x {@code [batch × inputSize]}, the previous layer's activations as passed on
     * @param z {@code [batch × outputSize]}, writable: receives {@code z}
     * @param training whether this is a training step
     * @throws IllegalArgumentException if the batch does not suit the layer (a category index out of range, a
     *     batch of one sample for batch normalization in training), naming the layer's kind and the sizes
     */
    public abstract void forward(Matrix x, Matrix z, boolean training);

    /**
     * The forward pass with the activation: {@code z = f(x; θ)}, then {@code a = σ(z)}.
     *
     * @param x {@code [batch × inputSize]}
     * @param z {@code [batch × outputSize]}, writable
     * @param a {@code [batch × outputSize]}, writable
     * @param training whether this is a training step
     */
    public void forward(Matrix x, Matrix z, Matrix a, boolean training) {
        forward(x, z, training);
        activation().forward(z, a);
    }

    /**
     * The backward pass from the error signal {@code δ = ∂C/∂z}: sets every parameter's gradient
     * ({@link #gradients()}, overwritten, not accumulated) and, if asked, {@code ∂C/∂x}.
     *
     * @param x the input of the last {@link #forward}, {@code [batch × inputSize]}
     * @param delta {@code ∂C/∂z}, {@code [batch × outputSize]}; not changed
     * @param dx {@code [batch × inputSize]}, writable, receives {@code ∂C/∂x}; or {@code null} when nothing is
     *     before this layer
     */
    public abstract void backward(Matrix x, Matrix delta, Matrix dx);

    /**
     * Returns the activation applied after {@link #forward(Matrix, Matrix, boolean)}.
     *
     * @return {@code σ}
     */
    public abstract Activation activation();

    /**
     * Returns the parameters, writable, in the order of {@link Layer#parameters()}.
     *
     * @return an unmodifiable list of the matrices the optimizer updates in place
     */
    public abstract List<Matrix> values();

    /**
     * Returns the gradients that the last {@link #backward} set, in the order of {@link #values()}.
     *
     * @return an unmodifiable list
     */
    public abstract List<Matrix> gradients();

    /**
     * Returns the named intermediate values of the last pass, to look inside a layer (as a learner or a test
     * would): after {@link #forward(Matrix, Matrix, boolean)}, what the kind computed on the way to {@code z};
     * after {@link #backward}, also the error signals it computed inside. By kind:
     * <ul>
     *   <li>layer normalization: {@code "mean"} and {@code "var"} ({@code μₙ} and the biased {@code σ²ₙ} of each
     *       sample, {@code [batch × 1]}) and {@code "x_hat"} ({@code x̂}, {@code [batch × F]});</li>
     *   <li>batch normalization in training: {@code "mean"} and {@code "var"} (the batch's {@code μⱼ} and biased
     *       {@code σ²ⱼ} of each feature, {@code [1 × F]}) and {@code "x_hat"}; in evaluation only {@code "x_hat"},
     *       normalized by the running statistics;</li>
     *   <li>residual block: for each inner layer {@code j} (from 0), {@code "inner.j.z"} and {@code "inner.j.a"}
     *       ({@code zⱼ} and {@code uⱼ = σⱼ(zⱼ)}), then inner layer {@code j}'s own values prefixed
     *       {@code "inner.j."} (e.g. {@code "inner.0.x_hat"}), and after the backward pass {@code "inner.j.delta"}
     *       ({@code δⱼ = ∂C/∂zⱼ});</li>
     *   <li>dense and embedding layers record nothing beyond {@code z} and {@code a}.</li>
     * </ul>
     *
     * @return an unmodifiable map in that order, empty before the first forward pass; its values are read-only
     *     views of this computation's buffers: the forward pass's values stay as they are until the next forward
     *     pass (a backward pass writes only the error signals), the error signals until the next backward pass
     */
    public Map<String, Matrix> recorded() {
        return Map.of();
    }

    /**
     * Returns the layer as it stands now: the current parameters and buffers, as a new immutable layer.
     *
     * @return a snapshot, sharing nothing with this computation
     * @throws IllegalArgumentException naming the parameter if a value is not finite
     */
    public abstract Layer snapshot();

    /**
     * Buffers that depend on the batch size, kept for the last two sizes seen: an epoch of full batches and a
     * shorter last one switches between two sets instead of allocating.
     */
    static final class PerBatch {

        private final java.util.function.IntFunction<Matrix[]> make;
        private int rows;
        private Matrix[] current;
        private int spareRows;
        private Matrix[] spare;

        PerBatch(java.util.function.IntFunction<Matrix[]> make) {
            this.make = make;
        }

        /** The buffers for a batch of {@code batchRows}, made on first need. */
        Matrix[] forRows(int batchRows) {
            if (current != null && rows == batchRows) {
                return current;
            }
            if (spare != null && spareRows == batchRows) {
                Matrix[] s = spare;
                spare = current;
                spareRows = rows;
                current = s;
                rows = batchRows;
                return current;
            }
            spare = current;
            spareRows = rows;
            current = make.apply(batchRows);
            rows = batchRows;
            return current;
        }
    }
}
