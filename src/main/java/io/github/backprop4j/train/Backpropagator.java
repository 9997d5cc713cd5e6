package io.github.backprop4j.train;

import io.github.backprop4j.DenseLayer;
import io.github.backprop4j.Layer;
import io.github.backprop4j.LayerComputation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.Parameter;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.optim.ParameterKind;
import io.github.backprop4j.optim.ParameterState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Backpropagation: from a {@link ForwardPass} and the targets, the loss and every layer's error signal and
 * gradients; then one optimizer step that returns a new network.
 *
 * <p>With {@code zˡ = aˡ⁻¹·Wˡᵀ + bˡ} and {@code aˡ = σˡ(zˡ)} recorded by the forward pass (rows are
 * samples; {@code ⊙} is the element-wise product):
 * <pre>
 *   δᴸ     = ∇ₐC ⊙ σᴸ'(zᴸ)                   (3) error signal of the output layer
 *   δˡ     = (δˡ⁺¹·Wˡ⁺¹) ⊙ σˡ'(zˡ)           (4) error signal of a hidden layer, l = L−1..1
 *   ∂C/∂Wˡ = δˡᵀ·aˡ⁻¹                        (5) weight gradient, [out × in]
 *   ∂C/∂bˡ = Σ_samples δˡ                    (6) bias gradient: the error signal itself, summed
 *   θ      ← θ − η·∂C/∂θ                     (7) the update, for plain gradient descent
 * </pre>
 * Equation (4) is {@code (Wˡ⁺¹)ᵀδˡ⁺¹ ⊙ σ'(zˡ)} written for a batch whose samples are rows. For softmax,
 * which is not element-wise, (3) and (4) use the activation's backward step instead of {@code ⊙ σ'};
 * softmax with cross-entropy and sigmoid with binary cross-entropy use their fused forms (see {@link Loss}).
 * Where the forward pass applied dropout, {@code aˡ⁻¹} in (5) is the masked activation and the gradient
 * flowing back into layer {@code l − 1} is multiplied by the same mask before (4).
 *
 * <p>Immutable and thread-safe; {@link #apply} never changes the network it is given.
 */
public final class Backpropagator {

    private final Loss loss;

    /**
     * A backpropagator for the given loss.
     *
     * @param loss the cost function {@code C}
     * @throws NullPointerException if {@code loss} is {@code null}
     */
    public Backpropagator(Loss loss) {
        this.loss = Checks.notNull(loss, "loss");
    }

    /**
     * Returns the loss.
     *
     * @return the cost function
     */
    public Loss loss() {
        return loss;
    }

    /**
     * Computes the loss, the error signals (3), (4) and the gradients (5), (6) of a recorded batch.
     *
     * @param pass the forward pass of the batch
     * @param targets {@code [batch × outputSize]}, converted to the network's precision if it differs
     * @return the gradients
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if the targets do not match the batch or the output layer, are not
     *     finite, or do not suit the loss; or if the loss does not suit the output activation
     */
    public Gradients gradients(ForwardPass pass, Matrix targets) {
        Checks.notNull(pass, "pass");
        Network network = pass.network();
        int last = network.layerCount();
        Matrix y = checkTargets(pass, targets);
        loss.checkOutputActivation(network.outputLayer().activation(), last);

        Matrix[] delta = new Matrix[last + 1];
        List<List<Parameter>> grads = new ArrayList<>(java.util.Collections.nCopies(last, null));
        List<Map<String, Matrix>> recorded = new ArrayList<>(java.util.Collections.nCopies(last, Map.of()));
        Matrix zL = pass.weightedSums(last);
        Matrix aL = pass.activations(last);
        double cost = loss.value(zL, aL, y);

        delta[last] = Matrix.zeros(pass.precision(), pass.batchSize(), network.outputSize());
        loss.outputErrorSignal(network.layer(last).activation(), zL, aL, y, delta[last]); // (3) δᴸ = ∇ₐC ⊙ σᴸ'(zᴸ)
        Matrix inputGradient = null;
        for (int l = last; l >= 1; l--) {
            Layer layer = network.layer(l);
            Matrix upstream = Matrix.zeros(pass.precision(), pass.batchSize(), layer.inputSize());
            if (layer instanceof DenseLayer dense) {
                Matrix dW = Matrix.zeros(pass.precision(), dense.outputSize(), dense.inputSize());
                Matrix.transposedMultiply(delta[l], pass.passedOn(l - 1), dW); //       (5) ∂C/∂Wˡ = δˡᵀ·aˡ⁻¹
                Matrix db = Matrix.zeros(pass.precision(), 1, dense.outputSize());
                delta[l].columnSums(db); //                                             (6) ∂C/∂bˡ = Σ δˡ
                grads.set(l - 1, List.of(new Parameter("weight", ParameterKind.WEIGHTS, dW),
                        new Parameter("bias", ParameterKind.BIAS, db)));
                if (l == 1) {
                    Matrix delta1 = delta[1];
                    Matrix mask = pass.dropoutMask(0);
                    return new Gradients(cost, tail(delta), grads, layersAfter(pass), recorded, () -> {
                        Matrix dx = Matrix.zeros(delta1.precision(), delta1.rows(), dense.inputSize());
                        Matrix.multiply(delta1, dense.weightMatrix(), dx); //           ∂C/∂x = δ¹·W¹
                        if (mask != null) {
                            Matrix.zip(dx, mask, (g, m) -> g * m, dx);
                        }
                        return dx;
                    });
                }
                Matrix.multiply(delta[l], dense.weightMatrix(), upstream); //           δˡ·Wˡ = ∂C/∂aˡ⁻¹
            } else {
                LayerComputation computation = pass.computation(l); //                 the kind's own backward pass:
                computation.backward(pass.passedOn(l - 1), delta[l], upstream); //     ∂C/∂θˡ and ∂C/∂aˡ⁻¹ from δˡ
                List<Parameter> parameters = layer.parameters();
                List<Parameter> g = new ArrayList<>();
                for (int i = 0; i < parameters.size(); i++) {
                    g.add(new Parameter(parameters.get(i).name(), parameters.get(i).kind(),
                            computation.gradients().get(i).copy()));
                }
                grads.set(l - 1, List.copyOf(g));
                recorded.set(l - 1, backwardValues(computation, pass.recorded(l)));
            }
            Matrix mask = pass.dropoutMask(l - 1);
            if (mask != null) {
                Matrix.zip(upstream, mask, (g, m) -> g * m, upstream); //               through dropout: ⊙ mˡ⁻¹
            }
            if (l == 1) {
                inputGradient = upstream;
                break;
            }
            delta[l - 1] = upstream;
            network.layer(l - 1).activation().backward( //                           (4) δˡ⁻¹ = ∂C/∂aˡ⁻¹ ⊙ σ'(zˡ⁻¹)
                    pass.weightedSums(l - 1), pass.activations(l - 1), upstream, delta[l - 1]);
        }
        Matrix dx = inputGradient;
        return new Gradients(cost, tail(delta), grads, layersAfter(pass), recorded, () -> dx);
    }

    /** Copies of what a computation recorded beyond its forward pass's values: the inner error signals. */
    private static Map<String, Matrix> backwardValues(LayerComputation computation, Map<String, Matrix> forward) {
        Map<String, Matrix> values = new LinkedHashMap<>();
        for (Map.Entry<String, Matrix> e : computation.recorded().entrySet()) {
            if (!forward.containsKey(e.getKey())) {
                values.put(e.getKey(), e.getValue().copy().readOnlyView());
            }
        }
        return java.util.Collections.unmodifiableMap(values);
    }

    private static List<Layer> layersAfter(ForwardPass pass) {
        List<Layer> after = new ArrayList<>();
        for (int l = 1; l <= pass.network().layerCount(); l++) {
            after.add(pass.layerAfter(l));
        }
        return after;
    }

    /**
     * Computes the gradients of a batch given as rows of doubles; see {@link #gradients(ForwardPass, Matrix)}.
     *
     * @param pass the forward pass of the batch
     * @param targets {@code [batch × outputSize]}
     * @return the gradients
     * @throws IllegalArgumentException if the targets are empty, ragged, do not fit or are not finite
     */
    public Gradients gradients(ForwardPass pass, double[][] targets) {
        Checks.notNull(pass, "pass");
        return gradients(pass, Matrix.of(pass.precision(), targets, "targets"));
    }

    /**
     * Runs the forward pass and backpropagates it.
     *
     * @param network the network
     * @param inputs {@code [batch × inputSize]}
     * @param targets {@code [batch × outputSize]}
     * @return the gradients
     * @throws IllegalArgumentException if inputs or targets do not fit the network or each other
     */
    public Gradients gradients(Network network, double[][] inputs, double[][] targets) {
        return gradients(ForwardPass.run(network, inputs), targets);
    }

    /**
     * Applies gradients through an optimizer, (7), and returns the updated network; the given network is
     * not changed. Updates every parameter of every layer in the order of {@link Layer#parameters()} (a dense
     * layer's weights and then its bias), layer 1 first, then completes the step of {@code state}. A batch
     * normalization layer takes the running statistics its forward pass left (if the gradients carry them).
     *
     * @param network the network the gradients were computed for
     * @param gradients its gradients
     * @param optimizer the optimizer configuration
     * @param state the optimizer state of this training run, updated in place
     * @return a new network with the updated parameters
     * @throws IllegalArgumentException if the gradients or the state do not fit the network
     * @throws ArithmeticException naming the layer and position, if the update made a parameter NaN or
     *     infinite (the state may then be partly updated; the given network is unchanged)
     */
    public Network apply(Network network, Gradients gradients, Optimizer optimizer, OptimizerState state) {
        Checks.notNull(optimizer, "optimizer");
        return apply(network, gradients, optimizer, state, optimizer.learningRate());
    }

    /**
     * Applies gradients through an optimizer with the learning rate of this step, {@code η}, instead of the
     * optimizer's own: the entry point of a training loop that follows a
     * {@link io.github.backprop4j.optim.LearningRateSchedule}, e.g. with
     * {@code η = schedule.learningRate(optimizer.learningRate(), t, epoch)}. Otherwise as
     * {@link #apply(Network, Gradients, Optimizer, OptimizerState)}.
     *
     * @param network the network the gradients were computed for
     * @param gradients its gradients
     * @param optimizer the optimizer configuration
     * @param state the optimizer state of this training run, updated in place
     * @param learningRate {@code η} for this step, finite and &ge; 0
     * @return a new network with the updated parameters
     * @throws IllegalArgumentException if the learning rate is negative or not finite, or the gradients or
     *     the state do not fit the network
     * @throws ArithmeticException naming the layer and position, if the update made a parameter NaN or
     *     infinite (the state may then be partly updated; the given network is unchanged)
     */
    public Network apply(Network network, Gradients gradients, Optimizer optimizer, OptimizerState state,
            double learningRate) {
        Checks.notNull(network, "network");
        Checks.notNull(gradients, "gradients");
        Checks.notNull(optimizer, "optimizer");
        Checks.notNull(state, "state");
        Checks.sameSize(gradients.layerCount(), network.layerCount(), "gradients: the number of layers",
                "the network's number of layers");
        double eta = Checks.nonNegativeFinite(learningRate, "learningRate");
        List<Layer> updated = new ArrayList<>(network.layerCount());
        for (int l = 1; l <= network.layerCount(); l++) {
            Layer layer = network.layer(l);
            List<Parameter> parameters = layer.parameters();
            List<Parameter> g = gradients.parameterGradients(l);
            Checks.sameSize(g.size(), parameters.size(), "gradients: layer " + l + " parameters",
                    "the parameters of " + layer);
            List<Matrix> values = new ArrayList<>(parameters.size());
            for (int i = 0; i < parameters.size(); i++) {
                Parameter p = parameters.get(i);
                values.add(updatedCopy(p, g.get(i).value(), l, optimizer, eta, state)); // weights before bias
            }
            Layer after = gradients.afterForward(l); // batch normalization: the running statistics of the pass
            updated.add((after != null && after.kind().equals(layer.kind()) ? after : layer).withParameters(values));
        }
        state.completeStep();
        return Network.of(updated);
    }

    private static Matrix updatedCopy(Parameter parameter, Matrix gradient, int layer, Optimizer optimizer, double eta,
            OptimizerState state) {
        Matrix value = parameter.value();
        if (gradient.rows() != value.rows() || gradient.cols() != value.cols()
                || gradient.precision() != value.precision()) {
            throw new IllegalArgumentException("gradients: layer " + layer + " " + parameter.path()
                    + parameter.kind().label() + " gradient is "
                    + gradient + " but the parameter is " + value);
        }
        Matrix theta = value.copy();
        ParameterState buffers = state.forParameter(layer, parameter.path(), parameter.kind(), theta);
        optimizer.update(theta, gradient, eta, buffers); // (7) θ ← θ − η·∂C/∂θ
        int[] at = theta.firstNonFinite();
        if (at != null) {
            throw new ArithmeticException("the update made layer " + layer + " " + parameter.path()
                    + parameter.kind().label() + " [" + at[0] + "][" + at[1] + "] " + theta.get(at[0], at[1])
                    + ": training diverged; try a smaller learning rate or check the inputs' scale");
        }
        return theta;
    }

    /**
     * One training step on a batch: forward pass, backpropagation and update.
     *
     * @param network the network, not changed
     * @param inputs {@code [batch × inputSize]}
     * @param targets {@code [batch × outputSize]}
     * @param optimizer the optimizer configuration
     * @param state the optimizer state of this training run, updated in place
     * @return a new network with the updated parameters
     * @throws IllegalArgumentException if the data do not fit the network
     */
    public Network step(Network network, double[][] inputs, double[][] targets, Optimizer optimizer,
            OptimizerState state) {
        return apply(network, gradients(network, inputs, targets), optimizer, state);
    }

    /**
     * One training step on a batch held in matrices: forward pass, backpropagation and update.
     *
     * @param network the network, not changed
     * @param inputs {@code [batch × inputSize]}
     * @param targets {@code [batch × outputSize]}
     * @param optimizer the optimizer configuration
     * @param state the optimizer state of this training run, updated in place
     * @return a new network with the updated parameters
     * @throws IllegalArgumentException if the data do not fit the network
     */
    public Network step(Network network, Matrix inputs, Matrix targets, Optimizer optimizer,
            OptimizerState state) {
        return apply(network, gradients(ForwardPass.run(network, inputs), targets), optimizer, state);
    }

    /** Checks targets against the batch, the output layer and the loss; returns them in the pass's precision. */
    Matrix checkTargets(ForwardPass pass, Matrix targets) {
        Checks.notNull(targets, "targets");
        Network network = pass.network();
        Checks.sameSize(targets.rows(), pass.batchSize(), "targets: the number of rows",
                "the number of input samples");
        Checks.sameSize(targets.cols(), network.outputSize(), "targets: the number of values per sample",
                "the output size of layer " + network.layerCount() + " (the output layer)");
        targets.requireFinite("targets");
        Matrix y = targets.precision() == pass.precision() ? targets
                : targets.toPrecision(pass.precision(), "targets");
        loss.checkTargets(y);
        return y;
    }

    private static List<Matrix> tail(Matrix[] byLayer) {
        return Arrays.asList(byLayer).subList(1, byLayer.length);
    }

    @Override
    public String toString() {
        return "Backpropagator[" + loss + "]";
    }
}
