package io.github.backprop4j.train;

import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;

/**
 * Temperature scaling (Guo et al. 2017, "On Calibration of Modern Neural Networks"): the output layer's weighted
 * sums {@code zᴸ} (the logits, before the softmax) divided by one temperature {@code T > 0} before the output
 * activation, {@code p = softmax(zᴸ / T)}, or {@code p = σ(zᴸ / T)} for a single sigmoid output. {@code T > 1}
 * softens over-confident probabilities, {@code T < 1} sharpens them; the predicted class never changes, so
 * accuracy does not either. {@code T = 1} is the network as it is.
 *
 * <p>{@link #fit(Network, DataSet)} chooses {@code T} on held-out data by minimising the negative log-likelihood
 * {@code NLL(T) = −(1/n) Σᵢ Σₖ yᵢₖ log softmax(zᵢ / T)ₖ}. NLL is convex in {@code 1/T}, so it has one minimum
 * along {@code log T}, which a golden-section search over {@code T ∈ [0.01, 100]} finds. The logits come from
 * the evaluation-mode forward pass ({@link ForwardPass#runForEvaluation}: no dropout, batch normalization with its
 * running statistics), the pass prediction computes.
 *
 * <p>A value: keep it beside the network, or in a {@code ModelBundle} ({@code withTemperature}), whose
 * predictions then apply it.
 *
 * @param temperature {@code T}, finite and positive
 */
public record TemperatureScaling(double temperature) {

    /** The smallest temperature {@link #fit} considers. */
    public static final double MIN_TEMPERATURE = 0.01;
    /** The largest temperature {@link #fit} considers. */
    public static final double MAX_TEMPERATURE = 100;

    /**
     * Checks the temperature.
     *
     * @param temperature {@code T}
     * @throws IllegalArgumentException if it is not finite and positive
     */
    public TemperatureScaling {
        if (!(temperature > 0) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("temperature: " + temperature + "; it must be finite and positive");
        }
    }

    /**
     * Fits the temperature that minimises the negative log-likelihood of held-out data.
     *
     * @param network a classifier whose last layer has a softmax activation, or a single sigmoid output
     * @param validation held-out samples (not the training data, on which the network is over-confident by
     *     construction) with one-hot targets, or 0/1 for one output
     * @return the fitted scaling
     * @throws IllegalArgumentException if the output layer is not softmax or sigmoid, or the sizes do not fit
     */
    public static TemperatureScaling fit(Network network, DataSet validation) {
        Checks.notNull(validation, "validation");
        requireProbabilisticOutput(network);
        Checks.sameSize(validation.featureCount(), network.inputSize(), "validation: the number of features",
                "the network's input size");
        Checks.sameSize(validation.targetCount(), network.outputSize(), "validation: the number of targets",
                "the network's output size");
        if (validation.size() == 0) {
            throw new IllegalArgumentException("validation: no samples to fit a temperature on");
        }
        double[][] z = logits(network, validation.features());
        double[][] y = validation.targetsAsArray();
        double goldenRatio = (Math.sqrt(5) - 1) / 2;
        double lo = Math.log(MIN_TEMPERATURE);
        double hi = Math.log(MAX_TEMPERATURE);
        double a = hi - goldenRatio * (hi - lo);
        double b = lo + goldenRatio * (hi - lo);
        double fa = nll(z, y, Math.exp(a));
        double fb = nll(z, y, Math.exp(b));
        while (hi - lo > 1e-9) { // about 55 steps: |log T − log T*| < 1e-9
            if (fa <= fb) {
                hi = b;
                b = a;
                fb = fa;
                a = hi - goldenRatio * (hi - lo);
                fa = nll(z, y, Math.exp(a));
            } else {
                lo = a;
                a = b;
                fa = fb;
                b = lo + goldenRatio * (hi - lo);
                fb = nll(z, y, Math.exp(b));
            }
        }
        return new TemperatureScaling(Math.exp((lo + hi) / 2));
    }

    /**
     * Returns the network's probabilities with this temperature, {@code softmax(zᴸ / T)} or {@code σ(zᴸ / T)}.
     *
     * @param network a classifier with a softmax output layer or a single sigmoid output
     * @param inputs {@code [batch × inputSize]}
     * @return a new {@code [batch × outputSize]} float64 matrix
     * @throws IllegalArgumentException if the output layer is neither, or the inputs do not fit
     */
    public Matrix probabilities(Network network, Matrix inputs) {
        requireProbabilisticOutput(network);
        Checks.notNull(inputs, "inputs");
        return Matrix.of(Precision.FLOAT64, scale(logits(network, inputs)), "probabilities");
    }

    /**
     * Returns the probabilities of given logits with this temperature.
     *
     * @param logits the output layer's weighted sums {@code zᴸ}, {@code [batch × outputs]}; one column means a
     *     sigmoid output, several a softmax
     * @return a new {@code [batch × outputs]} array of probabilities
     */
    public double[][] scale(double[][] logits) {
        Checks.notNull(logits, "logits");
        double[][] p = new double[logits.length][];
        for (int i = 0; i < logits.length; i++) {
            p[i] = probabilities(logits[i], temperature);
        }
        return p;
    }

    /**
     * Returns the mean negative log-likelihood of a data set's targets under the network's probabilities at this
     * temperature, the quantity {@link #fit} minimises.
     *
     * @param network the classifier
     * @param data samples with one-hot (or 0/1) targets
     * @return {@code −(1/n) Σᵢ Σₖ yᵢₖ log pᵢₖ}, in nats
     * @throws IllegalArgumentException if the output layer is not softmax or sigmoid, or the sizes do not fit
     */
    public double negativeLogLikelihood(Network network, DataSet data) {
        requireProbabilisticOutput(network);
        Checks.notNull(data, "data");
        return nll(logits(network, data.features()), data.targetsAsArray(), temperature);
    }

    /**
     * Checks that a network ends in probabilities that a temperature can scale.
     *
     * @param network the network
     * @throws IllegalArgumentException naming the last layer and its activation if it is neither a softmax nor a
     *     single sigmoid output
     */
    public static void requireProbabilisticOutput(Network network) {
        Checks.notNull(network, "network");
        int last = network.layerCount();
        String activation = network.layer(last).activation().name();
        boolean softmax = activation.equals("softmax") && network.outputSize() > 1;
        boolean sigmoid = activation.equals("sigmoid") && network.outputSize() == 1;
        if (!softmax && !sigmoid) {
            throw new IllegalArgumentException("network: layer " + last + " (the output layer) has the activation "
                    + activation + " and " + network.outputSize() + " outputs; temperature scaling needs a softmax "
                    + "over several outputs or a sigmoid on one");
        }
    }

    private static double[][] logits(Network network, Matrix inputs) {
        Matrix z = ForwardPass.runForEvaluation(network, inputs).weightedSums(network.layerCount());
        double[][] out = new double[z.rows()][z.cols()];
        for (int r = 0; r < z.rows(); r++) {
            for (int c = 0; c < z.cols(); c++) {
                out[r][c] = z.get(r, c);
            }
        }
        return out;
    }

    private static double[] probabilities(double[] z, double t) {
        if (z.length == 1) {
            return new double[] {1 / (1 + Math.exp(-z[0] / t))}; // σ(z / T)
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v / t);
        }
        double sum = 0;
        double[] p = new double[z.length];
        for (int k = 0; k < z.length; k++) {
            p[k] = Math.exp(z[k] / t - max); // softmax(z / T), shifted by its largest value
            sum += p[k];
        }
        for (int k = 0; k < z.length; k++) {
            p[k] /= sum;
        }
        return p;
    }

    /** −(1/n) Σᵢ Σₖ yᵢₖ log pᵢₖ(T), through log-sum-exp and softplus so that no probability underflows to log 0. */
    static double nll(double[][] z, double[][] y, double t) {
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            if (z[i].length == 1) {
                double u = z[i][0] / t; // −log σ(u) = softplus(−u), −log(1 − σ(u)) = softplus(u)
                sum += y[i][0] * softplus(-u) + (1 - y[i][0]) * softplus(u);
                continue;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z[i]) {
                max = Math.max(max, v / t);
            }
            double s = 0;
            for (double v : z[i]) {
                s += Math.exp(v / t - max);
            }
            double logSumExp = max + Math.log(s);
            for (int k = 0; k < z[i].length; k++) {
                if (y[i][k] != 0) {
                    sum += y[i][k] * (logSumExp - z[i][k] / t);
                }
            }
        }
        return sum / z.length;
    }

    private static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }
}
