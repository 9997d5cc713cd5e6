package io.github.backprop4j.train;

import io.github.backprop4j.Layer;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.Parameter;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.ParameterKind;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks backpropagation against central finite differences, in {@link Precision#FLOAT64}:
 * {@code ∂C/∂θ ≈ (C(θ + ε) − C(θ − ε)) / 2ε} for every weight and bias of the network.
 *
 * <p>Use it when writing an activation or loss of your own:
 * <pre>{@code
 * GradientCheck.Report report = GradientCheck.run(network, myLoss, inputs, targets);
 * if (!report.passes(1e-6, 1e-9)) throw new AssertionError(report);
 * }</pre>
 * It costs two forward passes per parameter, so keep the network small.
 */
public final class GradientCheck {

    /** The step {@code ε} of the central difference unless another is given. */
    public static final double DEFAULT_EPSILON = 1e-6;

    private GradientCheck() {
    }

    /**
     * Compares backpropagation with central differences of step {@link #DEFAULT_EPSILON}.
     *
     * @param network the network, converted to float64 for the check
     * @param loss the loss
     * @param inputs {@code [batch × inputSize]}
     * @param targets {@code [batch × outputSize]}
     * @return the comparison of every parameter
     * @throws IllegalArgumentException if the data do not fit the network
     */
    public static Report run(Network network, Loss loss, double[][] inputs, double[][] targets) {
        return run(network, loss, inputs, targets, DEFAULT_EPSILON);
    }

    /**
     * Compares backpropagation with central differences of the given step.
     *
     * @param network the network, converted to float64 for the check
     * @param loss the loss
     * @param inputs {@code [batch × inputSize]}
     * @param targets {@code [batch × outputSize]}
     * @param epsilon the step {@code ε}, finite and &gt; 0
     * @return the comparison of every parameter
     * @throws IllegalArgumentException if the data do not fit the network or epsilon is not positive
     */
    public static Report run(Network network, Loss loss, double[][] inputs, double[][] targets, double epsilon) {
        Checks.notNull(network, "network");
        Checks.positiveFinite(epsilon, "epsilon");
        Network net = network.toPrecision(Precision.FLOAT64);
        Backpropagator backprop = new Backpropagator(loss);
        Matrix x = Matrix.of(Precision.FLOAT64, inputs, "inputs");
        Matrix y = Matrix.of(Precision.FLOAT64, targets, "targets");
        Gradients gradients = backprop.gradients(ForwardPass.run(net, x), y);

        List<Entry> entries = new ArrayList<>();
        for (int l = 1; l <= net.layerCount(); l++) {
            Layer layer = net.layer(l);
            List<Parameter> parameters = layer.parameters();
            List<Parameter> g = gradients.parameterGradients(l);
            for (int i = 0; i < parameters.size(); i++) {
                Parameter p = parameters.get(i);
                for (int r = 0; r < p.value().rows(); r++) {
                    for (int c = 0; c < p.value().cols(); c++) {
                        double saved = p.value().get(r, c);
                        double plus = cost(backprop, net.withLayer(l, perturbed(layer, i, r, c, saved + epsilon)), x, y);
                        double minus = cost(backprop, net.withLayer(l, perturbed(layer, i, r, c, saved - epsilon)), x,
                                y);
                        boolean vector = p.kind().isVector();
                        entries.add(new Entry(l, p.kind(), vector ? c : r, vector ? -1 : c, g.get(i).value().get(r, c),
                                (plus - minus) / (2 * epsilon), p.name(), r * p.value().cols() + c));
                    }
                }
            }
        }
        return new Report(List.copyOf(entries));
    }

    /** The layer with element {@code [r][c]} of its parameter {@code i} set to {@code value}. */
    private static Layer perturbed(Layer layer, int i, int r, int c, double value) {
        List<Matrix> values = new ArrayList<>();
        for (Parameter p : layer.parameters()) {
            values.add(p.value().copy());
        }
        values.get(i).set(r, c, value);
        return layer.withParameters(values);
    }

    private static double cost(Backpropagator backprop, Network network, Matrix x, Matrix y) {
        ForwardPass pass = ForwardPass.run(network, x);
        int last = network.layerCount();
        return backprop.loss().value(pass.weightedSums(last), pass.activations(last), y);
    }

    /**
     * One parameter's two gradients.
     *
     * @param layer the layer, 1..L
     * @param kind weights, bias, scale, shift or embedding
     * @param row the neuron {@code j} of a weight, bias, scale or shift (its column in a one-row tensor); the row
     *     (category) of an embedding table
     * @param col the input {@code k} of a weight or the column of an embedding table; -1 for a one-row tensor
     * @param backprop {@code ∂C/∂θ} by backpropagation
     * @param numeric {@code ∂C/∂θ} by central difference
     * @param parameter the parameter's name within the layer, e.g. {@code "weight"}, {@code "f.1.bias"}
     * @param index the position in the parameter, row-major
     */
    public record Entry(int layer, ParameterKind kind, int row, int col, double backprop, double numeric,
            String parameter, int index) {

        /**
         * An entry of a dense layer's weights or bias.
         *
         * @param layer the layer, 1..L
         * @param kind weights or bias
         * @param row the neuron {@code j}
         * @param col the input {@code k} for a weight, -1 for a bias
         * @param backprop {@code ∂C/∂θ} by backpropagation
         * @param numeric {@code ∂C/∂θ} by central difference
         */
        public Entry(int layer, ParameterKind kind, int row, int col, double backprop, double numeric) {
            this(layer, kind, row, col, backprop, numeric, kind == ParameterKind.BIAS ? "bias" : "weight", row);
        }

        /**
         * Returns {@code |backprop − numeric| / max(|backprop|, |numeric|)}, or 0 when both are 0.
         *
         * @return the relative error
         */
        public double relativeError() {
            double scale = Math.max(Math.abs(backprop), Math.abs(numeric));
            return scale == 0 ? 0 : Math.abs(backprop - numeric) / scale;
        }

        /**
         * Returns whether {@code |backprop − numeric| ≤ relative·max(|backprop|, |numeric|) + absolute}.
         *
         * @param relative the relative tolerance
         * @param absolute the absolute floor, for gradients near zero
         * @return whether the two agree
         */
        public boolean agrees(double relative, double absolute) {
            double scale = Math.max(Math.abs(backprop), Math.abs(numeric));
            return Math.abs(backprop - numeric) <= relative * scale + absolute;
        }

        /** Returns where this parameter is and both values, e.g. {@code "layer 2 weights[1][3]: ..."}. */
        @Override
        public String toString() {
            String prefix = parameter.lastIndexOf('.') < 0 ? "" : parameter.substring(0, parameter.lastIndexOf('.') + 1);
            return "layer " + layer + " " + prefix + kind.label() + "[" + row + "]" + (col >= 0 ? "[" + col + "]" : "")
                    + ": backprop " + backprop + ", numeric " + numeric + ", relative error " + relativeError();
        }
    }

    /**
     * The comparison of every parameter of a network.
     *
     * @param entries one entry per weight and bias, layer by layer
     */
    public record Report(List<Entry> entries) {

        /**
         * Returns the entry with the largest relative error.
         *
         * @return the worst entry
         */
        public Entry worst() {
            Entry worst = entries.get(0);
            for (Entry e : entries) {
                if (e.relativeError() > worst.relativeError()) {
                    worst = e;
                }
            }
            return worst;
        }

        /**
         * Returns the largest relative error over all parameters.
         *
         * @return {@code worst().relativeError()}
         */
        public double worstRelativeError() {
            return worst().relativeError();
        }

        /**
         * Returns whether every parameter {@linkplain Entry#agrees agrees} within the tolerances.
         *
         * @param relative the relative tolerance, e.g. 1e-6
         * @param absolute the absolute floor, e.g. 1e-9
         * @return whether backpropagation and the finite differences agree everywhere
         */
        public boolean passes(double relative, double absolute) {
            return entries.stream().allMatch(e -> e.agrees(relative, absolute));
        }

        /**
         * Returns the entries that do not agree within the tolerances.
         *
         * @param relative the relative tolerance
         * @param absolute the absolute floor
         * @return the failing entries, in order
         */
        public List<Entry> failures(double relative, double absolute) {
            return entries.stream().filter(e -> !e.agrees(relative, absolute)).toList();
        }

        /** Returns the number of parameters checked and the worst entry. */
        @Override
        public String toString() {
            return "GradientCheck: " + entries.size() + " parameters, worst " + worst();
        }
    }
}
