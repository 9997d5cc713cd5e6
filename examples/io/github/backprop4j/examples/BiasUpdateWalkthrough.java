package io.github.backprop4j.examples;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Layer;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.train.Backpropagator;
import io.github.backprop4j.train.ForwardPass;
import io.github.backprop4j.train.Gradients;
import java.util.Locale;

/**
 * One training step of a 2-2-1 sigmoid network on one sample, printed number by number so that every
 * value can be checked by hand: the weighted sums z, the activations a, the error signals δ, the gradients
 * ∂C/∂W and ∂C/∂b, and the weights <em>and biases</em> before and after the update. docs/math.md works
 * through this output.
 *
 * <p>Run it from an IDE, or with {@code mvn -q test-compile exec:exec -Dexample=BiasUpdateWalkthrough}.
 */
public final class BiasUpdateWalkthrough {

    private BiasUpdateWalkthrough() {
    }

    /**
     * Makes the step and prints it.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        Network network = Network.of(
                Layer.of(new double[][] {{0.15, 0.20}, {0.25, 0.30}}, new double[] {0.35, 0.35}, Activation.SIGMOID),
                Layer.of(new double[][] {{0.40, 0.45}}, new double[] {0.60}, Activation.SIGMOID));
        double[][] x = {{0.05, 0.10}};
        double[][] y = {{0.01}};
        double eta = 0.5;

        ForwardPass pass = ForwardPass.run(network, x);
        Backpropagator backprop = new Backpropagator(Loss.MSE);
        Gradients gradients = backprop.gradients(pass, y);
        Network updated = backprop.apply(network, gradients, Optimizer.sgd(eta), new OptimizerState());

        System.out.println("Network " + network + ", loss MSE, learning rate η = " + eta);
        System.out.println("input a0 = " + format(pass.activations(0)) + ", target y = " + format(y[0]));
        System.out.println();
        System.out.println("Forward pass: z = a_prev·Wᵀ + b, a = σ(z)");
        for (int l = 1; l <= network.layerCount(); l++) {
            System.out.println("  layer " + l + ": z" + l + " = " + format(pass.weightedSums(l)) + "   a" + l + " = "
                    + format(pass.activations(l)));
        }
        System.out.printf(Locale.ROOT, "  loss C = mean((a2 − y)²) = %.10f%n", gradients.loss());
        System.out.println();
        System.out.println("Backward pass: δ2 = ∂C/∂a2 ⊙ σ'(z2), δ1 = (δ2·W2) ⊙ σ'(z1)");
        for (int l = network.layerCount(); l >= 1; l--) {
            System.out.println("  layer " + l + ": δ" + l + " = " + format(gradients.errorSignal(l)));
            System.out.println("           ∂C/∂W" + l + " = δ" + l + "ᵀ·a" + (l - 1) + " = "
                    + format(gradients.weightGradient(l)));
            System.out.println("           ∂C/∂b" + l + " = Σ δ" + l + " = " + format(gradients.biasGradient(l)));
        }
        System.out.println();
        System.out.println("Update: W ← W − η·∂C/∂W, b ← b − η·∂C/∂b");
        for (int l = 1; l <= network.layerCount(); l++) {
            System.out.println("  layer " + l + ": W " + format(network.dense(l).weightMatrix()) + " → "
                    + format(updated.dense(l).weightMatrix()));
            System.out.println("           b " + format(network.dense(l).biasVector()) + " → "
                    + format(updated.dense(l).biasVector()));
        }
        System.out.printf(Locale.ROOT, "%nloss after the step: %.10f%n", backprop.gradients(updated, x, y).loss());
    }

    private static String format(Matrix m) {
        StringBuilder s = new StringBuilder("[");
        for (int r = 0; r < m.rows(); r++) {
            s.append(r == 0 ? "" : "; ").append(format(m.row(r)).replaceAll("^\\[|]$", ""));
        }
        return s.append(']').toString();
    }

    private static String format(double[] values) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            s.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.10f", values[i]));
        }
        return s.append(']').toString();
    }
}
