package io.github.backprop4j.train;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Embedding;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Why a network answers as it does: how much each input value contributes to one output {@code f(x)} of a trained
 * network, for one sample at a time, and how much each feature matters to a metric over a data set.
 *
 * <p><b>The output {@code f}</b> is a {@link Target}: a class score {@code f(x) = zᴸₖ}, the output layer's weighted
 * sum of class {@code k} <em>before</em> its activation (the logit, for a softmax layer); a probability
 * {@code f(x) = aᴸₖ}, the output layer's activation of class {@code k} (after softmax or sigmoid); or the loss
 * {@code f(xₙ) = C(xₙ, yₙ)} of the sample alone (the cost of a batch of that one sample).
 *
 * <p><b>The gradient</b> {@code ∂f/∂x} is the error signal carried one layer further back than training needs, to
 * the input: {@link Backpropagator} is run on an evaluation-mode {@link ForwardPass} (batch normalization with
 * its running statistics, no dropout, so samples do not affect one another) with {@code δᴸ = ∂f/∂zᴸ} as its
 * output error signal, and {@link Gradients#inputGradient()} gives {@code ∂f/∂x = δ¹·W¹} for every sample at
 * once. From it:
 * <pre>
 *   input × gradient       φⱼ = xⱼ · ∂f/∂xⱼ(x)
 *   integrated gradients   φⱼ = (xⱼ − x'ⱼ) · ∫₀¹ ∂f/∂xⱼ(x' + α(x − x')) dα     (Sundararajan et al., 2017)
 * </pre>
 * where the integral from the baseline {@code x'} is a Riemann sum of {@code m} steps ({@link Rule}). Integrated
 * gradients are <em>complete</em>: {@code Σⱼ φⱼ = f(x) − f(x')} up to the error of the sum, which falls as
 * {@code 1/m²} for a smooth network and only as {@code 1/m} where the path crosses a kink (ReLU, leaky ReLU, the
 * absolute error); see docs/explain.md for the measured error. For an embedding network the gradient is 0 in
 * the categorical columns, and integrated gradients need a baseline equal to the input there.
 *
 * <p><b>Permutation importance</b> of a feature is how much a metric worsens when that column of a data set is
 * shuffled, breaking its link to the targets; it needs no gradient and works for every column.
 *
 * <p>Immutable and thread-safe; nothing here changes the network.
 */
public final class Attributions {

    /** The default number of steps of {@link #integratedGradients(Matrix, Target)}. */
    public static final int DEFAULT_STEPS = 50;

    /** The Riemann sums of integrated gradients with {@code m} steps. */
    public enum Rule {
        /**
         * The trapezoid rule: {@code m + 1} points {@code αᵢ = i/m}, weights {@code 1/m} but {@code 1/(2m)} at
         * both ends; exact at the ends of the path, so the default.
         */
        TRAPEZOID,
        /** The midpoint rule: {@code m} points {@code αᵢ = (i + ½)/m} of weight {@code 1/m}. */
        MIDPOINT
    }

    private final Network network;

    private Attributions(Network network) {
        this.network = network;
    }

    /**
     * Attributions of a network's outputs.
     *
     * @param network the trained network
     * @return the attributions
     * @throws NullPointerException if {@code network} is {@code null}
     */
    public static Attributions of(Network network) {
        return new Attributions(Checks.notNull(network, "network"));
    }

    /**
     * Returns the network.
     *
     * @return the network whose outputs are attributed
     */
    public Network network() {
        return network;
    }

    /**
     * Returns {@code f(xₙ)} for every sample, in evaluation mode.
     *
     * @param inputs {@code [batch × inputSize]}
     * @param target the output {@code f}
     * @return one value per row of {@code inputs}
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if the inputs or the target do not fit the network, naming the sizes
     */
    public double[] values(Matrix inputs, Target target) {
        Matrix x = checkInputs(inputs);
        Checks.notNull(target, "target");
        target.checkFits(network, x.rows());
        double[] f = new double[x.rows()];
        if (target.loss == null) {
            ForwardPass pass = ForwardPass.runForEvaluation(network, x);
            Matrix out = target.beforeActivation ? pass.weightedSums(network.layerCount()) : pass.output();
            for (int n = 0; n < f.length; n++) {
                f[n] = out.get(n, target.k);
            }
        } else {
            for (int n = 0; n < f.length; n++) {
                ForwardPass pass = ForwardPass.runForEvaluation(network, row(x, n));
                f[n] = new Backpropagator(target.loss).gradients(pass, target.targetRow(n, network)).loss();
            }
        }
        return f;
    }

    /**
     * Returns the gradient of the output with respect to the input, {@code ∂f/∂x}, for every sample: the error
     * signal backpropagated to the input (see the class comment).
     *
     * @param inputs {@code [batch × inputSize]}
     * @param target the output {@code f}
     * @return {@code [batch × inputSize]}, one row per sample
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if the inputs or the target do not fit the network, naming the sizes
     */
    public Matrix gradient(Matrix inputs, Target target) {
        Matrix x = checkInputs(inputs);
        Checks.notNull(target, "target");
        target.checkFits(network, x.rows());
        if (target.loss == null) {
            return backpropagate(x, target, null);
        }
        double[][] g = new double[x.rows()][];
        for (int n = 0; n < x.rows(); n++) { //                       the loss of each sample alone: a batch of one
            g[n] = backpropagate(row(x, n), target, target.targetRow(n, network)).row(0);
        }
        return Matrix.of(network.precision(), g, "gradients").readOnlyView();
    }

    /**
     * Returns input × gradient, {@code φⱼ = xⱼ · ∂f/∂xⱼ}, for every sample.
     *
     * @param inputs {@code [batch × inputSize]}
     * @param target the output {@code f}
     * @return {@code [batch × inputSize]}
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if the inputs or the target do not fit the network
     */
    public Matrix inputTimesGradient(Matrix inputs, Target target) {
        Matrix x = checkInputs(inputs);
        Matrix g = gradient(x, target);
        Matrix phi = Matrix.zeros(network.precision(), x.rows(), x.cols());
        Matrix.zip(x, g, (xi, gi) -> xi * gi, phi);
        return phi.readOnlyView();
    }

    /**
     * Returns integrated gradients from the all-zero baseline with {@value #DEFAULT_STEPS} trapezoid steps.
     *
     * @param inputs {@code [batch × inputSize]}
     * @param target the output {@code f}
     * @return {@code [batch × inputSize]}; each row sums to about {@code f(x) − f(0)}
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if the inputs or the target do not fit the network
     */
    public Matrix integratedGradients(Matrix inputs, Target target) {
        Matrix x = checkInputs(inputs);
        return integratedGradients(x, target, Matrix.zeros(network.precision(), 1, x.cols()), DEFAULT_STEPS,
                Rule.TRAPEZOID);
    }

    /**
     * Returns integrated gradients, {@code φⱼ = (xⱼ − x'ⱼ)·Σᵢ wᵢ·∂f/∂xⱼ(x' + αᵢ(x − x'))}, for every sample; the
     * points of one sample's path are backpropagated as one batch.
     *
     * @param inputs {@code [batch × inputSize]}
     * @param target the output {@code f}
     * @param baseline {@code x'}: one row for every sample, or one row per sample
     * @param steps {@code m}, &ge; 1
     * @param rule the Riemann sum
     * @return {@code [batch × inputSize]}; each row sums to about {@code f(x) − f(x')}
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if the inputs, the baseline or the target do not fit the network, naming
     *     the sizes; if {@code steps} is less than 1; or, for an embedding network, if the baseline differs from
     *     an input in a categorical column
     */
    public Matrix integratedGradients(Matrix inputs, Target target, Matrix baseline, int steps, Rule rule) {
        Matrix x = checkInputs(inputs);
        Checks.notNull(target, "target");
        Checks.notNull(baseline, "baseline");
        Checks.notNull(rule, "rule");
        target.checkFits(network, x.rows());
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1, but is " + steps);
        }
        if (baseline.cols() != x.cols() || (baseline.rows() != 1 && baseline.rows() != x.rows())) {
            throw new IllegalArgumentException("baseline is " + baseline.shape() + " but must be one row, or one row "
                    + "per sample, of " + x.cols() + " values, as the inputs " + x.shape());
        }
        baseline.requireFinite("baseline");
        int points = rule == Rule.TRAPEZOID ? steps + 1 : steps;
        double[][] alpha = new double[points][];
        double[][] weight = new double[1][points];
        for (int i = 0; i < points; i++) {
            alpha[i] = new double[] {1, rule == Rule.TRAPEZOID ? (double) i / steps : (i + 0.5) / steps};
            weight[0][i] = rule == Rule.TRAPEZOID && (i == 0 || i == steps) ? 0.5 / steps : 1.0 / steps;
        }
        Matrix a = Matrix.of(network.precision(), alpha, "alpha"); //                  rows (1, αᵢ)
        Matrix w = Matrix.of(network.precision(), weight, "weights"); //               [1 × points], the wᵢ
        int numeric = network.layer(1) instanceof Embedding e ? e.numericColumns() : x.cols();
        double[][] phi = new double[x.rows()][];
        for (int n = 0; n < x.rows(); n++) {
            double[] from = baseline.row(baseline.rows() == 1 ? 0 : n);
            double[] to = x.row(n);
            double[] difference = new double[to.length];
            for (int j = 0; j < to.length; j++) {
                difference[j] = to[j] - from[j];
                if (j >= numeric && difference[j] != 0) {
                    throw new IllegalArgumentException("baseline row " + (baseline.rows() == 1 ? 0 : n) + " column " + j
                            + " is " + from[j] + " but sample " + n + " has category " + to[j] + " there: the "
                            + "categorical columns " + numeric + ".." + (x.cols() - 1) + " of an embedding network "
                            + "cannot be interpolated");
                }
            }
            Matrix ends = Matrix.of(network.precision(), new double[][] {from, difference}, "baseline and x − x'");
            Matrix path = Matrix.zeros(network.precision(), points, x.cols());
            Matrix.multiply(a, ends, path); //                                          x' + αᵢ(x − x'), row by row
            Matrix g = target.loss == null ? backpropagate(path, target, null) : pathGradients(path, target, n);
            Matrix integral = Matrix.zeros(network.precision(), 1, x.cols());
            Matrix.multiply(w, g, integral); //                                         Σᵢ wᵢ·∂f/∂x(x' + αᵢ(x − x'))
            Matrix.zip(Matrix.of(network.precision(), new double[][] {difference}, "x − x'"), integral,
                    (d, sum) -> d * sum, integral); //                                   φ = (x − x') ⊙ the integral
            phi[n] = integral.row(0);
        }
        return Matrix.of(network.precision(), phi, "attributions").readOnlyView();
    }

    /** For the loss target, each path point alone (a batch of one), with the sample's target. */
    private Matrix pathGradients(Matrix path, Target target, int sample) {
        Matrix y = target.targetRow(sample, network);
        double[][] g = new double[path.rows()][];
        for (int i = 0; i < path.rows(); i++) {
            g[i] = backpropagate(row(path, i), target, y).row(0);
        }
        return Matrix.of(network.precision(), g, "path gradients");
    }

    /** ∂f/∂x of every row: the readable path with δᴸ = ∂f/∂zᴸ, evaluation mode. */
    private Matrix backpropagate(Matrix x, Target target, Matrix y) {
        ForwardPass pass = ForwardPass.runForEvaluation(network, x);
        Loss f = target.loss != null ? target.loss : new SelectedOutput(target.k, target.beforeActivation);
        Matrix targets = y != null ? y : Matrix.zeros(network.precision(), x.rows(), network.outputSize());
        return new Backpropagator(f).gradients(pass, targets).inputGradient();
    }

    /**
     * Permutation importance of every feature: the metric on the data as they are, and for each column
     * {@code j} the mean and standard deviation over {@code repeats} shuffles of that column alone of how much
     * the metric worsened ({@code baseline − permuted} for a metric where higher is better, else
     * {@code permuted − baseline}), so that important features have large positive values. Each shuffle is a
     * Fisher–Yates permutation of the rows drawn from {@code new SplittableRandom(seed)}, feature by feature and
     * repeat by repeat, so equal arguments give equal results.
     *
     * @param data the data set, with targets the metric understands
     * @param metric the metric
     * @param repeats the shuffles per feature, &ge; 1
     * @param seed the seed of the shuffles
     * @return the importances
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if {@code repeats} is less than 1, or the data do not fit the network
     */
    public PermutationImportance permutationImportance(DataSet data, Metric metric, int repeats, long seed) {
        Checks.notNull(data, "data");
        Checks.notNull(metric, "metric");
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be at least 1, but is " + repeats);
        }
        Matrix x = checkInputs(data.features());
        Matrix y = data.targets().toPrecision(network.precision(), "data targets");
        Checks.sameSize(y.cols(), network.outputSize(), "data: the number of targets per sample",
                "the network's output size");
        double baseline = score(metric, x, y);
        double sign = metric.higherIsBetter() ? 1 : -1;
        SplittableRandom random = new SplittableRandom(seed);
        double[] mean = new double[x.cols()];
        double[] sd = new double[x.cols()];
        int[] order = new int[x.rows()];
        Matrix shuffled = x.copy();
        for (int j = 0; j < x.cols(); j++) {
            double[] drops = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                for (int i = 0; i < order.length; i++) {
                    order[i] = i;
                }
                for (int i = order.length - 1; i > 0; i--) {
                    int k = random.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[k];
                    order[k] = t;
                }
                for (int i = 0; i < order.length; i++) {
                    shuffled.set(i, j, x.get(order[i], j));
                }
                drops[r] = sign * (baseline - score(metric, shuffled, y));
            }
            for (int i = 0; i < order.length; i++) {
                shuffled.set(i, j, x.get(i, j));
            }
            mean[j] = Arrays.stream(drops).sum() / repeats;
            double ss = 0;
            for (double d : drops) {
                ss += (d - mean[j]) * (d - mean[j]);
            }
            sd[j] = repeats > 1 ? Math.sqrt(ss / (repeats - 1)) : 0;
        }
        return new PermutationImportance(metric.name(), baseline, mean, sd, repeats);
    }

    private double score(Metric metric, Matrix x, Matrix y) {
        Metric.Accumulator accumulator = metric.newAccumulator();
        accumulator.add(network.predict(x), y);
        return accumulator.result();
    }

    /**
     * Permutation importances of the features of a data set.
     *
     * @param metric the metric's name
     * @param baseline the metric on the data as they are
     * @param importances per feature, the mean worsening of the metric when it is shuffled (positive: it matters)
     * @param standardDeviations per feature, the sample standard deviation of the worsening over the repeats
     *     (0 for one repeat)
     * @param repeats the shuffles per feature
     */
    public record PermutationImportance(String metric, double baseline, double[] importances,
            double[] standardDeviations, int repeats) {

        /**
         * Copies the arrays.
         *
         * @param metric the metric's name
         * @param baseline the metric on the data as they are
         * @param importances per feature, the mean worsening
         * @param standardDeviations per feature, the standard deviation of the worsening
         * @param repeats the shuffles per feature
         */
        public PermutationImportance {
            Checks.notNull(metric, "metric");
            importances = Checks.notNull(importances, "importances").clone();
            standardDeviations = Checks.notNull(standardDeviations, "standardDeviations").clone();
        }

        /**
         * Returns the importances.
         *
         * @return a copy, one value per feature
         */
        @Override
        public double[] importances() {
            return importances.clone();
        }

        /**
         * Returns the standard deviations.
         *
         * @return a copy, one value per feature
         */
        @Override
        public double[] standardDeviations() {
            return standardDeviations.clone();
        }

        /**
         * Returns the features from the most to the least important.
         *
         * @return feature indices, ties in index order
         */
        public int[] ranking() {
            return java.util.stream.IntStream.range(0, importances.length).boxed()
                    .sorted((a, b) -> Double.compare(importances[b], importances[a])).mapToInt(Integer::intValue)
                    .toArray();
        }
    }

    private Matrix checkInputs(Matrix inputs) {
        return network.checkInputs(inputs, "inputs");
    }

    private static Matrix row(Matrix x, int n) {
        Matrix r = Matrix.zeros(x.precision(), 1, x.cols());
        Matrix.gatherRows(x, new int[] {n}, 0, 1, r);
        return r;
    }

    /** The output {@code f} that is attributed: a class score, a probability, or the loss of each sample. */
    public static final class Target {

        private final int k;
        private final boolean beforeActivation;
        private final Loss loss;
        private final Matrix targets;

        private Target(int k, boolean beforeActivation, Loss loss, Matrix targets) {
            this.k = k;
            this.beforeActivation = beforeActivation;
            this.loss = loss;
            this.targets = targets;
        }

        /**
         * The class score {@code f(x) = zᴸₖ}: the output layer's weighted sum of output {@code k}, before its
         * activation (for a softmax layer, the logit).
         *
         * @param k the output, from 0
         * @return the target
         * @throws IllegalArgumentException if {@code k} is negative
         */
        public static Target score(int k) {
            return new Target(checkClass(k), true, null, null);
        }

        /**
         * The probability {@code f(x) = aᴸₖ}: the output layer's activation of output {@code k} (after softmax or
         * sigmoid; for an identity output the same as the score).
         *
         * @param k the output, from 0
         * @return the target
         * @throws IllegalArgumentException if {@code k} is negative
         */
        public static Target probability(int k) {
            return new Target(checkClass(k), false, null, null);
        }

        /**
         * The loss of each sample alone, {@code f(xₙ) = C(xₙ, yₙ)}: the cost of a batch of that one sample.
         *
         * @param loss the loss {@code C}
         * @param targets {@code [batch × outputSize]}, one row per sample of the inputs it is used with
         * @return the target
         * @throws NullPointerException if an argument is {@code null}
         */
        public static Target loss(Loss loss, Matrix targets) {
            Checks.notNull(loss, "loss");
            Checks.notNull(targets, "targets");
            return new Target(-1, false, loss, targets.immutableCopy());
        }

        private static int checkClass(int k) {
            if (k < 0) {
                throw new IllegalArgumentException("k must be an output index >= 0, but is " + k);
            }
            return k;
        }

        void checkFits(Network network, int samples) {
            if (loss == null && k >= network.outputSize()) {
                throw new IllegalArgumentException("target output " + k + " does not exist: the network has "
                        + network.outputSize() + " outputs, 0.." + (network.outputSize() - 1));
            }
            if (loss != null) {
                Checks.sameSize(targets.rows(), samples, "target: the number of target rows",
                        "the number of input samples");
                Checks.sameSize(targets.cols(), network.outputSize(), "target: the number of values per target row",
                        "the network's output size");
            }
        }

        Matrix targetRow(int n, Network network) {
            Matrix t = targets.toPrecision(network.precision());
            return row(t, n);
        }

        @Override
        public String toString() {
            return loss != null ? "loss " + loss : (beforeActivation ? "score z" : "probability a") + "[" + k + "]";
        }
    }

    /** f = Σₙ zᴸₙₖ (or aᴸₙₖ): its error signal δᴸ is 1 in column k (or that through the activation's backward step). */
    private record SelectedOutput(int k, boolean beforeActivation) implements Loss {

        @Override
        public String name() {
            return (beforeActivation ? "score_" : "probability_") + k;
        }

        @Override
        public double value(Matrix z, Matrix a, Matrix target) {
            Matrix out = beforeActivation ? z : a;
            double sum = 0;
            for (int n = 0; n < out.rows(); n++) {
                sum += out.get(n, k);
            }
            return sum;
        }

        @Override
        public void gradient(Matrix a, Matrix target, Matrix out) {
            out.fill(0);
            for (int n = 0; n < out.rows(); n++) {
                out.set(n, k, 1); //                                          ∂f/∂aᴸ = eₖ
            }
        }

        @Override
        public void outputErrorSignal(Activation outputActivation, Matrix z, Matrix a, Matrix target, Matrix delta) {
            if (beforeActivation) {
                gradient(a, target, delta); //                                δᴸ = ∂zₖ/∂zᴸ = eₖ
            } else {
                Loss.super.outputErrorSignal(outputActivation, z, a, target, delta); // δᴸ = eₖ ⊙ σ'(zᴸ)
            }
        }
    }
}
