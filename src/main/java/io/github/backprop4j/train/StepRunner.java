package io.github.backprop4j.train;

import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;

/**
 * Optimizer steps on batches the caller chooses, through the same workspace that {@link Trainer#fit} runs: the
 * parameters updated in place and every buffer reused, giving bit for bit what
 * {@link Backpropagator#step(Network, Matrix, Matrix, Optimizer, OptimizerState)} gives step after step. For training
 * loops of one's own, such as the local steps of a distributed trainer; most users call {@link Trainer#fit}.
 *
 * <pre>{@code
 * StepRunner steps = new StepRunner(network, Loss.CROSS_ENTROPY, Optimizer.adam(), new OptimizerState(), 0);
 * for (Batch b : myBatches) {
 *     double loss = steps.step(b.features(), b.targets(), 1e-3);
 * }
 * Network trained = steps.network();
 * }</pre>
 *
 * <p>Not thread-safe. The network it starts from is not changed.
 */
public final class StepRunner {

    private final Network start;
    private final Loss loss;
    private final TrainingSession session;

    /**
     * A runner that starts from a network and an optimizer state.
     *
     * @param start the network, not changed
     * @param loss the loss, which must suit the output layer's activation
     * @param optimizer the optimizer
     * @param state the optimizer state of this run, updated in place by every step
     * @param clipNorm the global-norm clipping bound, as {@link Gradients#clippedByGlobalNorm}, or 0 for none
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if the loss does not suit the output activation, or {@code clipNorm} is
     *     negative or not finite
     */
    public StepRunner(Network start, Loss loss, Optimizer optimizer, OptimizerState state, double clipNorm) {
        this.start = Checks.notNull(start, "start");
        this.loss = Checks.notNull(loss, "loss");
        Checks.notNull(optimizer, "optimizer");
        Checks.notNull(state, "state");
        Checks.nonNegativeFinite(clipNorm, "clipNorm");
        loss.checkOutputActivation(start.outputLayer().activation(), start.layerCount());
        this.session = new TrainingSession(start, loss, optimizer, state, Dropout.none(), clipNorm);
    }

    /**
     * One step: the forward pass, backpropagation and the update with this learning rate.
     *
     * @param inputs {@code [batch × inputSize]}, in any precision (converted)
     * @param targets {@code [batch × outputSize]}
     * @param learningRate {@code η} of this step, finite and &ge; 0
     * @return the batch's loss, computed before the update
     * @throws IllegalArgumentException if the batch does not fit the network or the loss, naming the argument
     * @throws ArithmeticException if the loss is not finite (the parameters are then not updated)
     */
    public double step(Matrix inputs, Matrix targets, double learningRate) {
        double eta = Checks.nonNegativeFinite(learningRate, "learningRate");
        Matrix x = start.checkInputs(inputs, "inputs");
        Checks.notNull(targets, "targets");
        Checks.sameSize(targets.rows(), x.rows(), "targets: the number of rows", "the number of input samples");
        if (targets.cols() != start.outputSize()) { // the message is built only when needed: a step allocates nothing
            Checks.sameSize(targets.cols(), start.outputSize(), "targets: the number of values per sample",
                    "the output size of layer " + start.layerCount() + " (the output layer)");
        }
        Matrix y = targets.precision() == start.precision() ? targets : targets.toPrecision(start.precision(), "targets");
        double cost = session.gradients(x, y, null);
        if (!Double.isFinite(cost)) {
            throw new ArithmeticException("the loss became " + cost + "; try a smaller learning rate or scaling the "
                    + "inputs");
        }
        session.update(eta);
        return cost;
    }

    /**
     * The first half of a {@link #step}, for data-parallel training: the forward pass and backpropagation of a
     * batch, leaving {@code ∂C/∂θ} in the {@linkplain #gradientBuffers() gradient buffers} and the parameters
     * unchanged. A caller may then replace the buffers' contents (e.g. by the sum of several machines' shares of
     * a larger batch) and call {@link #applyGradients}; {@code gradients} then {@code applyGradients} on the same
     * batch is bit for bit {@link #step}.
     *
     * @param inputs {@code [batch × inputSize]}, in any precision (converted)
     * @param targets {@code [batch × outputSize]}
     * @return the batch's loss, which may be NaN or infinite (this method does not refuse it)
     * @throws IllegalArgumentException if the batch does not fit the network or the loss, naming the argument
     */
    public double gradients(Matrix inputs, Matrix targets) {
        Matrix x = start.checkInputs(inputs, "inputs");
        Checks.notNull(targets, "targets");
        Checks.sameSize(targets.rows(), x.rows(), "targets: the number of rows", "the number of input samples");
        if (targets.cols() != start.outputSize()) {
            Checks.sameSize(targets.cols(), start.outputSize(), "targets: the number of values per sample",
                    "the output size of layer " + start.layerCount() + " (the output layer)");
        }
        Matrix y = targets.precision() == start.precision() ? targets : targets.toPrecision(start.precision(), "targets");
        return session.gradients(x, y, null);
    }

    /**
     * Returns the gradient buffers: one matrix per parameter, layer 1 first and each layer's parameters in the
     * order of {@link io.github.backprop4j.Layer#parameters()}, each of its parameter's shape and the network's
     * precision. {@link #gradients} fills them, {@link #applyGradients} reads them, and the caller may write them
     * in between.
     *
     * @return the live buffers, in that order
     */
    public java.util.List<Matrix> gradientBuffers() {
        return session.gradientBuffers();
    }

    /**
     * The second half of a {@link #step}: the optimizer's update (7) with whatever the
     * {@linkplain #gradientBuffers() gradient buffers} hold, clipped by global norm first if this runner clips,
     * and the optimizer state's step completed.
     *
     * @param learningRate {@code η} of this step, finite and &ge; 0
     * @throws IllegalArgumentException if the learning rate is negative or not finite
     */
    public void applyGradients(double learningRate) {
        session.update(Checks.nonNegativeFinite(learningRate, "learningRate"));
    }

    /**
     * Returns the network as it stands after the steps so far.
     *
     * @return an immutable snapshot
     * @throws ArithmeticException naming the layer and position of a parameter that became NaN or infinite
     */
    public Network network() {
        return session.snapshot();
    }
}
