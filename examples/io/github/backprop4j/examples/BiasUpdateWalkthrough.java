package io.github.backprop4j.examples;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Layer;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.train.ExplainedStep;

/**
 * One training step of a 2-2-1 sigmoid network on one sample, printed number by number by
 * {@link ExplainedStep} so that every value can be checked by hand: the weighted sums z, the activations a,
 * the error signals δ, the gradients ∂C/∂W and ∂C/∂b, and the weights <em>and biases</em> before and after
 * the update. docs/math.md works through this output and holds a copy of it between the markers
 * {@link #BEGIN} and {@link #END}; a test fails when the two differ.
 *
 * <p>Run it from an IDE, or with {@code mvn -q test-compile exec:exec -Dexample=BiasUpdateWalkthrough}.
 */
public final class BiasUpdateWalkthrough {

    /** The line before the printed step, in the output and in docs/math.md. */
    public static final String BEGIN = "<!-- BiasUpdateWalkthrough output: begin -->";

    /** The line after the printed step. */
    public static final String END = "<!-- BiasUpdateWalkthrough output: end -->";

    private BiasUpdateWalkthrough() {
    }

    /**
     * Makes the step and prints it.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        System.out.print(output());
    }

    /**
     * The step: the 2-2-1 network of the classic worked example (Mazur), x = (0.05, 0.10), y = 0.01, MSE,
     * plain gradient descent with η = 0.5.
     *
     * @return the explained step
     */
    public static ExplainedStep step() {
        Network network = Network.of(
                Layer.of(new double[][] {{0.15, 0.20}, {0.25, 0.30}}, new double[] {0.35, 0.35}, Activation.SIGMOID),
                Layer.of(new double[][] {{0.40, 0.45}}, new double[] {0.60}, Activation.SIGMOID));
        double[][] x = {{0.05, 0.10}};
        double[][] y = {{0.01}};
        return ExplainedStep.of(network, x, y, Loss.MSE, Optimizer.sgd(0.5));
    }

    /**
     * What {@link #main} prints: the explained step's text between the markers.
     *
     * @return the text, lines ending in {@code \n}
     */
    public static String output() {
        return BEGIN + "\n```\n" + step().toText() + "```\n" + END + "\n";
    }
}
