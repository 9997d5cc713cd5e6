package io.github.backprop4j;

import io.github.backprop4j.math.Matrix;

/**
 * A cost function {@code C} over a batch, and the error signal it sends into the output layer,
 * {@code δᴸ = ∂C/∂zᴸ = ∇ₐC ⊙ σ'(zᴸ)}.
 *
 * <p>Conventions are PyTorch's, with reduction {@code 'mean'}: the element-wise losses ({@link #MSE},
 * {@link #MAE}, {@link #huber(double) Huber}, {@link #BINARY_CROSS_ENTROPY}) average over samples
 * <em>and</em> outputs; {@link #CROSS_ENTROPY} sums over the classes of a sample and averages over
 * samples. Gradients are therefore already scaled by the batch mean.
 *
 * <p>Implement {@link #value} and {@link #gradient} for a loss of your own; the output error signal then
 * comes from the output activation's backward step. The built-in cross-entropies override
 * {@link #outputErrorSignal} with their stable fused forms. Implementations must be immutable and
 * thread-safe.
 */
public interface Loss {

    /** Mean squared error, {@code C = mean((a − y)²)}. */
    Loss MSE = BuiltInLosses.MSE;
    /** Mean absolute error, {@code C = mean(|a − y|)}, with gradient {@code sign(a − y)} (0 at 0). */
    Loss MAE = BuiltInLosses.MAE;
    /** Huber loss with delta 1, PyTorch's default; see {@link #huber(double)}. */
    Loss HUBER = BuiltInLosses.HUBER;
    /**
     * Softmax cross-entropy, {@code C = mean over samples of −Σᵢ yᵢ·log softmax(z)ᵢ}; needs a
     * {@link Activation#SOFTMAX} output layer. Targets may be one-hot or soft (each row a distribution).
     * Computed from the weighted sums with log-sum-exp, and its error signal in the fused form
     * {@code δᴸ = (a·Σy − y) / batch}, which is {@code (a − y) / batch} for rows that sum to 1.
     */
    Loss CROSS_ENTROPY = BuiltInLosses.CROSS_ENTROPY;
    /**
     * Binary cross-entropy, {@code C = mean(−y·log a − (1 − y)·log(1 − a))}; needs a
     * {@link Activation#SIGMOID} output layer and targets in [0, 1]. Computed from the weighted sums in the
     * stable form {@code max(z, 0) − z·y + log(1 + e^−|z|)}, with error signal
     * {@code δᴸ = (a − y) / (batch·outputs)}.
     */
    Loss BINARY_CROSS_ENTROPY = BuiltInLosses.BINARY_CROSS_ENTROPY;

    /**
     * The Huber loss: {@code ½d²} where {@code |d| ≤ delta}, else {@code delta·(|d| − ½delta)}, with
     * {@code d = a − y}, averaged over samples and outputs.
     *
     * @param delta where the loss turns from quadratic to linear, finite and &gt; 0
     * @return the loss
     * @throws IllegalArgumentException if delta is not a finite number &gt; 0
     */
    static Loss huber(double delta) {
        return new BuiltInLosses.Huber(delta);
    }

    /**
     * Softmax cross-entropy with a weight per class, for imbalanced classification, as PyTorch's
     * {@code CrossEntropyLoss(weight=classWeights)} with class-index targets: each sample's loss is weighted by
     * the weight of its class ({@code sᵣ = Σᵢ wᵢyᵢ} for soft targets) and the batch mean divides by
     * {@code Σ sᵣ} (for soft targets PyTorch divides by the batch size instead). A batch whose samples all
     * weigh 0 costs 0. Needs a {@link Activation#SOFTMAX} output layer with one output per weight.
     *
     * @param classWeights one weight per class, each finite and &ge; 0, at least one &gt; 0
     * @return the loss
     * @throws IllegalArgumentException if the array is empty or a weight is negative or not finite
     */
    static Loss crossEntropy(double... classWeights) {
        return new BuiltInLosses.WeightedCrossEntropy(classWeights);
    }

    /**
     * Returns the loss's name, e.g. {@code "mse"}.
     *
     * @return the name
     */
    String name();

    /**
     * Returns the loss's parameters by name, e.g. {@code {delta=0.5}} for a Huber loss; files save a loss
     * as its name and these.
     *
     * @return an unmodifiable map, empty by default
     */
    default java.util.Map<String, Double> parameters() {
        return java.util.Map.of();
    }

    /**
     * Returns the residuals {@code d = a − y} of one output at which this loss's gradient {@code ∇ₐC} jumps, in
     * increasing order: {@code {0}} for {@link #MAE}; none by default, and none for the Huber loss, whose gradient
     * is continuous. Integrated gradients of the loss ({@link io.github.backprop4j.train.Attributions}) split
     * their integral where a residual crosses one.
     *
     * @return a new array, empty by default
     */
    default double[] kinks() {
        return new double[0];
    }

    /**
     * Checks that this loss can follow the given output activation, e.g. that cross-entropy has a softmax.
     *
     * @param outputActivation the activation of the output layer
     * @param outputLayer the output layer's number (layers count from 1), for the message
     * @throws IllegalArgumentException naming the layer and both functions, if they do not go together
     */
    default void checkOutputActivation(Activation outputActivation, int outputLayer) {
    }

    /**
     * Checks that a batch of targets is valid for this loss (e.g. in [0, 1] for binary cross-entropy).
     * Shapes and finiteness are checked before this is called.
     *
     * @param targets the targets, {@code [batch × outputs]}
     * @throws IllegalArgumentException naming the row and column of a bad target
     */
    default void checkTargets(Matrix targets) {
    }

    /**
     * Returns the cost of a batch, {@code C}.
     *
     * @param z the output layer's weighted sums, {@code [batch × outputs]}
     * @param a the output layer's activations, same shape
     * @param target the targets, same shape
     * @return the batch mean of the loss
     */
    double value(Matrix z, Matrix a, Matrix target);

    /**
     * Writes {@code ∇ₐC = ∂C/∂a}, already divided as the batch mean requires.
     *
     * @param a the output layer's activations, {@code [batch × outputs]}
     * @param target the targets, same shape
     * @param out where to write the gradient, writable, same shape and precision
     */
    void gradient(Matrix a, Matrix target, Matrix out);

    /**
     * Writes the output layer's error signal {@code δᴸ = ∂C/∂zᴸ = ∇ₐC ⊙ σ'(zᴸ)}: by default
     * {@link #gradient} followed by the activation's {@link Activation#backward backward step}.
     *
     * @param outputActivation the output layer's activation {@code σ}
     * @param z the output layer's weighted sums, {@code [batch × outputs]}
     * @param a the output layer's activations, same shape
     * @param target the targets, same shape
     * @param delta where to write {@code δᴸ}, writable, same shape and precision
     */
    default void outputErrorSignal(Activation outputActivation, Matrix z, Matrix a, Matrix target, Matrix delta) {
        Matrix gradA = a.copy();
        gradient(a, target, gradA);
        outputActivation.backward(z, a, gradA, delta);
    }
}
