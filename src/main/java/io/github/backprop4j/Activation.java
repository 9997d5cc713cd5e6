package io.github.backprop4j;

import io.github.backprop4j.math.Matrix;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * A layer's activation function {@code a = σ(z)} and its backward step {@code ∂C/∂z} from {@code ∂C/∂a}.
 *
 * <p>The backward step takes the upstream gradient rather than returning a derivative, because not every
 * activation is element-wise: for {@link #SOFTMAX} each output depends on the whole row. Element-wise
 * activations implement {@link ElementwiseActivation} instead and get both steps from {@code σ} and
 * {@code σ'}. Implementations must be immutable and thread-safe; equal activations compute the same
 * function.
 *
 * <p>Matrices hold one sample per row: {@code z} and {@code a} are {@code [batch × units]}.
 */
public interface Activation {

    /** {@code σ(z) = z}. */
    Activation IDENTITY = BuiltInActivations.IDENTITY;
    /** {@code σ(z) = 1 / (1 + e^−z)}. */
    Activation SIGMOID = BuiltInActivations.SIGMOID;
    /** {@code σ(z) = tanh z}. */
    Activation TANH = BuiltInActivations.TANH;
    /** {@code σ(z) = max(0, z)}, with {@code σ'(0) = 0} as in PyTorch. */
    Activation RELU = BuiltInActivations.RELU;
    /** {@code σ(z) = z} for {@code z > 0}, else {@code 0.01·z}; see {@link #leakyRelu(double)}. */
    Activation LEAKY_RELU = BuiltInActivations.LEAKY_RELU;
    /** {@code σ(z) = z} for {@code z > 0}, else {@code e^z − 1} (alpha 1); see {@link #elu(double)}. */
    Activation ELU = BuiltInActivations.ELU;
    /** {@code σ(z) = log(1 + e^z)}, returning {@code z} itself above 20 as PyTorch does. */
    Activation SOFTPLUS = BuiltInActivations.SOFTPLUS;
    /** {@code σ(z) = z · sigmoid(z)} (also called swish). */
    Activation SILU = BuiltInActivations.SILU;
    /**
     * The tanh approximation of GELU, {@code σ(z) = z/2 · (1 + tanh(√(2/π)·(z + 0.044715·z³)))}, as PyTorch's
     * {@code gelu(approximate='tanh')}; named {@code "gelu_tanh"}.
     */
    Activation GELU = BuiltInActivations.GELU;
    /**
     * {@code σ(z)ᵢ = e^zᵢ / Σⱼ e^zⱼ} over each row (each sample), computed stably by subtracting the row's
     * maximum first. Not element-wise.
     */
    Activation SOFTMAX = BuiltInActivations.SOFTMAX;

    /**
     * The leaky rectifier with the given slope for negative inputs.
     *
     * @param slope the slope below zero, finite and &ge; 0 (PyTorch's default is 0.01)
     * @return {@code σ(z) = z} for {@code z > 0}, else {@code slope·z}
     * @throws IllegalArgumentException if the slope is negative or not finite
     */
    static Activation leakyRelu(double slope) {
        return new BuiltInActivations.LeakyRelu(slope);
    }

    /**
     * The exponential linear unit with the given alpha.
     *
     * @param alpha the scale of the negative part, finite and &gt; 0 (PyTorch's default is 1)
     * @return {@code σ(z) = z} for {@code z > 0}, else {@code alpha·(e^z − 1)}
     * @throws IllegalArgumentException if alpha is not a finite number &gt; 0
     */
    static Activation elu(double alpha) {
        return new BuiltInActivations.Elu(alpha);
    }

    /**
     * A user-defined element-wise activation from its function and derivative.
     *
     * <p>Two instances made by this method are equal only if they are the same instance; implement
     * {@link ElementwiseActivation} directly for value equality.
     *
     * @param name a short name, used in {@code toString} and error messages
     * @param function {@code σ(z)}
     * @param derivative {@code σ'} as a function of the weighted sum {@code z} and the activation
     *     {@code a = σ(z)} (whichever is cheaper to use)
     * @return the activation
     */
    static Activation elementwise(String name, DoubleUnaryOperator function, DoubleBinaryOperator derivative) {
        return new BuiltInActivations.Custom(name, function, derivative);
    }

    /**
     * Returns the activation's name, e.g. {@code "relu"}; names identify activations in messages and files.
     *
     * @return the name
     */
    String name();

    /**
     * Returns the activation's parameters by name, e.g. {@code {slope=0.01}} for a leaky ReLU.
     *
     * @return an unmodifiable map, empty by default
     */
    default Map<String, Double> parameters() {
        return Map.of();
    }

    /**
     * The forward step, {@code a = σ(z)}, for every sample of a batch.
     *
     * @param z the weighted sums, {@code [batch × units]}
     * @param a where to write the activations, writable, same shape and precision; may be {@code z}
     */
    void forward(Matrix z, Matrix a);

    /**
     * The forward step from a layer's products, with its biases: {@code z ← z + b} (each row), then
     * {@code a = σ(z)}, equations (1) and (2) after the product {@code aˡ⁻¹·Wˡᵀ}. The default does exactly
     * that, {@link Matrix#addRowVector} then {@link #forward(Matrix, Matrix)}; an activation may do both in one
     * pass over z, with the same bits, as {@link #RELU} does.
     *
     * @param z the products {@code aˡ⁻¹·Wˡᵀ}, {@code [batch × units]}, writable; holds the weighted sums after
     * @param bias the biases, {@code [1 × units]}, same precision
     * @param a where to write the activations, writable, same shape and precision; may be {@code z}
     */
    default void forward(Matrix z, Matrix bias, Matrix a) {
        z.addRowVector(bias);
        forward(z, a);
    }

    /**
     * The backward step: {@code ∂C/∂z} from {@code ∂C/∂a}, which for an element-wise activation is
     * {@code ∂C/∂a ⊙ σ'(z)}.
     *
     * @param z the weighted sums of the forward step, {@code [batch × units]}
     * @param a the activations of the forward step, same shape
     * @param upstream {@code ∂C/∂a}, same shape
     * @param out where to write {@code ∂C/∂z}, writable, same shape and precision; callers may pass
     *     {@code upstream} itself here, so an implementation must read each upstream value before writing it
     */
    void backward(Matrix z, Matrix a, Matrix upstream, Matrix out);

    /**
     * Returns the inputs {@code z} at which the derivative {@code σ'} jumps, in increasing order: {@code {0}} for
     * {@link #RELU}, for a {@linkplain #leakyRelu(double) leaky ReLU} of slope &ne; 1 and for an
     * {@linkplain #elu(double) ELU} of alpha &ne; 1 (whose derivative is continuous at 0 for alpha = 1 only);
     * none for the smooth activations and the softmax. Integrated gradients
     * ({@link io.github.backprop4j.train.Attributions}) split their integral where a unit crosses one. An
     * activation that declares none is integrated as if it were smooth.
     *
     * @return a new array, empty by default
     */
    default double[] kinks() {
        return new double[0];
    }

    /**
     * The weight initialisation a layer with this activation gets unless the builder is told otherwise.
     *
     * @return {@link WeightInit#GLOROT_UNIFORM} by default; the ReLU family returns
     *     {@link WeightInit#HE_UNIFORM}
     */
    default WeightInit defaultWeightInit() {
        return WeightInit.GLOROT_UNIFORM;
    }
}
