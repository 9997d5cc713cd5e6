package io.github.backprop4j.optim;

import io.github.backprop4j.math.Matrix;

/**
 * The plug-in contract of every optimizer: how one step turns a parameter and its gradient
 * {@code ∂C/∂θ} into the updated parameter.
 *
 * <p>Three things are kept apart, as in Keras and torch.optim:
 * <ul>
 *   <li>the <b>configuration</b> — an {@code Optimizer} instance: immutable hyper-parameters, shareable
 *       between any number of training runs and threads;</li>
 *   <li>the <b>state</b> — an {@link OptimizerState}: per-parameter buffers (momentum, moments) and the
 *       step count of one training run, created empty and filled by the optimizer on first use through
 *       {@link ParameterState#slot(String)};</li>
 *   <li>the <b>model</b> — an immutable {@code Network}; the caller hands the optimizer a writable copy of
 *       one parameter at a time and builds the new network from the results.</li>
 * </ul>
 *
 * <p>The lifecycle of one step: the caller copies each layer's weights and biases, calls
 * {@link #update} once per parameter tensor (layer 1 weights, layer 1 bias, layer 2 weights, …) with the
 * {@link ParameterState} of that tensor, then calls {@link OptimizerState#completeStep()}. A gradient
 * always means {@code ∂C/∂θ}, never its negative.
 */
public interface Optimizer {

    /**
     * Plain gradient descent, {@code θ ← θ − η·∂C/∂θ}; see {@link GradientDescent}.
     *
     * @param learningRate {@code η}, finite and &ge; 0
     * @return the optimizer
     * @throws IllegalArgumentException if the learning rate is negative or not finite
     */
    static GradientDescent sgd(double learningRate) {
        return GradientDescent.withLearningRate(learningRate);
    }

    /**
     * Gradient descent with heavy-ball momentum, {@code v ← μ·v + g}, {@code θ ← θ − η·v}; see
     * {@link Momentum}.
     *
     * @param learningRate {@code η}, finite and &ge; 0
     * @param momentum {@code μ}, in [0, 1)
     * @return the optimizer
     * @throws IllegalArgumentException if a hyper-parameter is out of range
     */
    static Momentum momentum(double learningRate, double momentum) {
        return Momentum.of(learningRate, momentum);
    }

    /**
     * Gradient descent with Nesterov momentum, {@code v ← μ·v + g}, {@code θ ← θ − η·(g + μ·v)}; see
     * {@link Nesterov}.
     *
     * @param learningRate {@code η}, finite and &ge; 0
     * @param momentum {@code μ}, in [0, 1)
     * @return the optimizer
     * @throws IllegalArgumentException if a hyper-parameter is out of range
     */
    static Nesterov nesterov(double learningRate, double momentum) {
        return Nesterov.of(learningRate, momentum);
    }

    /**
     * AdaGrad with torch's defaults except the learning rate; see {@link AdaGrad}.
     *
     * @param learningRate {@code η}, finite and &ge; 0
     * @return the optimizer
     * @throws IllegalArgumentException if the learning rate is negative or not finite
     */
    static AdaGrad adagrad(double learningRate) {
        return AdaGrad.withLearningRate(learningRate);
    }

    /**
     * AdaGrad with torch's defaults, learning rate {@value AdaGrad#DEFAULT_LEARNING_RATE}.
     *
     * @return the optimizer
     */
    static AdaGrad adagrad() {
        return adagrad(AdaGrad.DEFAULT_LEARNING_RATE);
    }

    /**
     * RMSProp with torch's defaults except the learning rate; see {@link RmsProp}.
     *
     * @param learningRate {@code η}, finite and &ge; 0
     * @return the optimizer
     * @throws IllegalArgumentException if the learning rate is negative or not finite
     */
    static RmsProp rmsprop(double learningRate) {
        return RmsProp.withLearningRate(learningRate);
    }

    /**
     * RMSProp with torch's defaults, learning rate {@value RmsProp#DEFAULT_LEARNING_RATE}.
     *
     * @return the optimizer
     */
    static RmsProp rmsprop() {
        return rmsprop(RmsProp.DEFAULT_LEARNING_RATE);
    }

    /**
     * Adam with torch's defaults except the learning rate; see {@link Adam}.
     *
     * @param learningRate {@code η}, finite and &ge; 0
     * @return the optimizer
     * @throws IllegalArgumentException if the learning rate is negative or not finite
     */
    static Adam adam(double learningRate) {
        return Adam.withLearningRate(learningRate);
    }

    /**
     * Adam with torch's defaults, learning rate {@value Adam#DEFAULT_LEARNING_RATE}.
     *
     * @return the optimizer
     */
    static Adam adam() {
        return adam(Adam.DEFAULT_LEARNING_RATE);
    }

    /**
     * AdamW (decoupled weight decay) with torch's defaults except the learning rate and the decay; see
     * {@link AdamW}.
     *
     * @param learningRate {@code η}, finite and &ge; 0
     * @param weightDecay {@code λ}, finite and &ge; 0
     * @return the optimizer
     * @throws IllegalArgumentException if a hyper-parameter is negative or not finite
     */
    static AdamW adamW(double learningRate, double weightDecay) {
        return AdamW.of(learningRate, weightDecay);
    }

    /**
     * AdamW with torch's defaults, learning rate {@value AdamW#DEFAULT_LEARNING_RATE} and weight decay
     * {@value AdamW#DEFAULT_WEIGHT_DECAY}.
     *
     * @return the optimizer
     */
    static AdamW adamW() {
        return adamW(AdamW.DEFAULT_LEARNING_RATE, AdamW.DEFAULT_WEIGHT_DECAY);
    }

    /**
     * Returns the learning rate {@code η} that this configuration uses for every step.
     *
     * @return the learning rate, finite and &ge; 0
     */
    double learningRate();

    /**
     * Updates one parameter tensor in place.
     *
     * @param parameter {@code θ}: a writable copy of the weights {@code [out × in]} or bias {@code [1 × out]}
     *     of one layer, to be overwritten with the updated values
     * @param gradient {@code ∂C/∂θ}, the same shape and precision; must not be changed
     * @param learningRate {@code η} for this step
     * @param state the state of this parameter in this training run
     */
    void update(Matrix parameter, Matrix gradient, double learningRate, ParameterState state);

    /**
     * Returns this optimizer with a gradient transform applied before each update: {@code g ← t(θ, g)},
     * then this optimizer's update with that {@code g}. Transforms added one after another apply in the
     * order written, so {@code adam.withL1(λ).clippedByValue(c)} adds the L1 term and then clips the sum.
     * Works for every optimizer, including one written by a user.
     *
     * @param transform the transform
     * @return a new optimizer with this one's learning rate
     * @throws NullPointerException if {@code transform} is {@code null}
     */
    default Optimizer transformingGradients(GradientTransform transform) {
        return TransformedOptimizer.of(this, transform);
    }

    /**
     * Returns this optimizer with L2 regularisation, coupled weight decay as torch.optim's
     * {@code weight_decay}: {@code g ← g + λ·θ} before the update, biases included. To spare the biases use
     * {@code transformingGradients(GradientTransform.l2(λ).onlyFor(ParameterKind.WEIGHTS))}.
     *
     * @param lambda {@code λ}, finite and &ge; 0
     * @return a new optimizer
     * @throws IllegalArgumentException if lambda is negative or not finite
     */
    default Optimizer withL2(double lambda) {
        return transformingGradients(GradientTransform.l2(lambda));
    }

    /**
     * Returns this optimizer with L1 regularisation: {@code g ← g + λ·sign(θ)} before the update, biases
     * included (see {@link GradientTransform#onlyFor(ParameterKind)} to spare them).
     *
     * @param lambda {@code λ}, finite and &ge; 0
     * @return a new optimizer
     * @throws IllegalArgumentException if lambda is negative or not finite
     */
    default Optimizer withL1(double lambda) {
        return transformingGradients(GradientTransform.l1(lambda));
    }

    /**
     * Returns this optimizer with every gradient element clipped to {@code [−c, c]} before the update.
     *
     * @param limit {@code c}, finite and &gt; 0
     * @return a new optimizer
     * @throws IllegalArgumentException if the limit is not finite and positive
     */
    default Optimizer clippedByValue(double limit) {
        return transformingGradients(GradientTransform.clipByValue(limit));
    }

    /**
     * Returns this optimizer with the given layers frozen: their weights and biases stay bit-identical and
     * get no buffers; the other layers are updated as before. Freezing again adds layers. A layer number
     * beyond the network's last layer freezes nothing.
     *
     * @param layers layer numbers, 1..L, at least one
     * @return a new optimizer
     * @throws IllegalArgumentException if no layer is given or a number is below 1
     */
    default Optimizer freezing(int... layers) {
        return FrozenLayers.of(this, layers);
    }
}
