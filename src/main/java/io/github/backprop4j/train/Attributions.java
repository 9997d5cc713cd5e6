package io.github.backprop4j.train;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Embedding;
import io.github.backprop4j.Layer;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.Residual;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
 * where the integral from the baseline {@code x'} is a sum over {@code m} equal intervals of the path
 * ({@link Rule}). Integrated gradients are <em>complete</em>: {@code Σⱼ φⱼ = f(x) − f(x')} up to the error of the
 * sum. A plain trapezoid or midpoint sum's error falls as {@code 1/m²} where the integrand is smooth, but only as
 * {@code 1/m} where it jumps: where a unit of an activation with a kink ({@link Activation#kinks()}: ReLU, leaky
 * ReLU, ELU with alpha &ne; 1) or the residual of a loss with one ({@link Loss#kinks()}: the absolute error)
 * crosses it. So the default rule is kink-aware: the forward pass at the {@code m + 1} interval ends gives each
 * watched unit's side ({@code z}, or {@code a − y}, against its kinks); in an interval where a unit's side differs
 * between the ends, its switch is found by bisection on {@code α} to {@value #SWITCH_TOLERANCE} (at most
 * {@value #MAX_BISECTIONS} forward passes, all switches of a sample halved in one batch), the interval is cut there
 * and the rule applied to each piece. Between the kinks a ReLU network's class score is linear in {@code α}, its
 * gradient constant, so the sum is exact; for a network with no kinked unit nothing changes and nothing more is
 * evaluated. Extra gradient evaluations happen only at switches (2 per switch for the trapezoid, 1 for the
 * midpoint), and there are at most as many switches as watched units per interval, at most one per unit for a
 * first-layer unit, whose {@code z} is linear along the path. A unit that switches and switches back within one
 * interval is not seen. See docs/explain.md for the measured error. For an embedding network the gradient is 0 in
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

    /** Bisection on α stops when a switch's bracket is this narrow. */
    static final double SWITCH_TOLERANCE = 1e-12;
    /**
     * How far into its piece (in α) a kink-aware trapezoid's end at a switch is evaluated, for a float64 network:
     * far enough from the kink that rounding of {@code z} cannot flip its side, near enough that its error is
     * far below the rule's.
     */
    static final double FLOAT64_INWARD = 1e-10;
    /** The same for a float32 network, whose weighted sums are rounded to about 1e-7 of their terms. */
    static final double FLOAT32_INWARD = 1e-5;
    /** At most this many bisection steps per switch (about 35 reach {@link #SWITCH_TOLERANCE} from 1/50). */
    static final int MAX_BISECTIONS = 64;

    /**
     * The sums of integrated gradients over {@code m} equal intervals {@code [i/m, (i+1)/m]} of the path. The
     * kink-aware rules ({@link #TRAPEZOID}, {@link #MIDPOINT}) cut an interval where a unit with a kink switches
     * side and apply the rule to each piece; the plain ones do not, as Captum and PyTorch sums do.
     */
    public enum Rule {
        /**
         * The trapezoid rule on each piece between the kinks (the default): the {@code m + 1} ends
         * {@code αᵢ = i/m}, weights {@code 1/m} but {@code 1/(2m)} at both ends of the path, and, in an interval
         * cut at switches {@code s₁ < … < s_k}, a trapezoid of weight {@code (s_{j+1} − s_j)/2} at both ends of
         * each piece, a switch's end evaluated on the piece's side of it; 2 extra points per switch.
         */
        TRAPEZOID,
        /**
         * The midpoint rule on each piece between the kinks: the centre of each piece, weighted by its length;
         * {@code αᵢ = (i + ½)/m} of weight {@code 1/m} in an interval without a switch; 1 extra point per switch.
         */
        MIDPOINT,
        /**
         * The plain trapezoid rule: the {@code m + 1} points {@code αᵢ = i/m}, weights {@code 1/m} but
         * {@code 1/(2m)} at both ends.
         */
        PLAIN_TRAPEZOID,
        /** The plain midpoint rule: {@code m} points {@code αᵢ = (i + ½)/m} of weight {@code 1/m}. */
        PLAIN_MIDPOINT
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
     * Returns integrated gradients from the all-zero baseline with {@value #DEFAULT_STEPS} steps of the kink-aware
     * {@link Rule#TRAPEZOID}.
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
     * Returns integrated gradients, {@code φⱼ = (xⱼ − x'ⱼ)·Σᵢ wᵢ·∂f/∂xⱼ(x' + αᵢ(x − x'))}, for every sample, with
     * the points {@code αᵢ} and weights {@code wᵢ} of the rule (see the class comment for the kink-aware rules);
     * the points of one sample's path are backpropagated as one batch.
     *
     * @param inputs {@code [batch × inputSize]}
     * @param target the output {@code f}
     * @param baseline {@code x'}: one row for every sample, or one row per sample
     * @param steps {@code m}, the number of equal intervals of the path, &ge; 1
     * @param rule the sum
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
        boolean trapezoid = rule == Rule.TRAPEZOID || rule == Rule.PLAIN_TRAPEZOID;
        List<Watch> watches = rule == Rule.TRAPEZOID || rule == Rule.MIDPOINT ? watches(target) : List.of();
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
            Matrix y = target.loss == null ? null : target.targetRow(n, network);
            double[][] nodes = nodes(steps, trapezoid, watches.isEmpty() ? null : switches(ends, steps, watches, y),
                    network.precision() == Precision.FLOAT32 ? FLOAT32_INWARD : FLOAT64_INWARD);
            Matrix path = path(ends, nodes[0]); //                                      x' + αᵢ(x − x'), row by row
            Matrix g = target.loss == null ? backpropagate(path, target, null) : pathGradients(path, target, n);
            Matrix w = Matrix.of(network.precision(), new double[][] {nodes[1]}, "weights"); // [1 × points], the wᵢ
            Matrix integral = Matrix.zeros(network.precision(), 1, x.cols());
            Matrix.multiply(w, g, integral); //                                         Σᵢ wᵢ·∂f/∂x(x' + αᵢ(x − x'))
            Matrix.zip(Matrix.of(network.precision(), new double[][] {difference}, "x − x'"), integral,
                    (d, sum) -> d * sum, integral); //                                   φ = (x − x') ⊙ the integral
            phi[n] = integral.row(0);
        }
        return Matrix.of(network.precision(), phi, "attributions").readOnlyView();
    }

    /** The points {@code x' + αᵢ(x − x')} of the rows (1, αᵢ) times {@code ends} = (x', x − x'). */
    private Matrix path(Matrix ends, double[] alpha) {
        double[][] rows = new double[alpha.length][];
        for (int i = 0; i < alpha.length; i++) {
            rows[i] = new double[] {1, alpha[i]};
        }
        Matrix path = Matrix.zeros(network.precision(), alpha.length, ends.cols());
        Matrix.multiply(Matrix.of(network.precision(), rows, "alpha"), ends, path);
        return path;
    }

    /**
     * The rule's points {@code αᵢ} (row 0) and weights {@code wᵢ} (row 1): the {@code m} equal intervals of
     * [0, 1], each cut into pieces at its switches (none: the plain rule), a trapezoid or a midpoint per piece.
     * A trapezoid's end at a switch is evaluated on the piece's own side of it: {@code inward} into the piece from
     * the end of the switch's bracket that lies in it (at most to the piece's centre), so that rounding of the
     * path's weighted sums does not put it on the other side.
     */
    private static double[][] nodes(int steps, boolean trapezoid, List<List<double[]>> switches, double inward) {
        List<Double> alpha = new ArrayList<>();
        List<Double> weight = new ArrayList<>();
        if (trapezoid) {
            for (int i = 0; i <= steps; i++) { //                                    the m + 1 ends, as the plain rule
                alpha.add((double) i / steps);
                weight.add(i == 0 || i == steps ? 0.5 / steps : 1.0 / steps);
            }
        }
        for (int i = 0; i < steps; i++) {
            List<double[]> cuts = switches == null ? List.of() : switches.get(i);
            if (cuts.isEmpty()) {
                if (!trapezoid) {
                    alpha.add((i + 0.5) / steps);
                    weight.add(1.0 / steps);
                }
                continue;
            }
            if (trapezoid) { //                                           the interval's own weights go to its pieces
                weight.set(i, weight.get(i) - 0.5 / steps);
                weight.set(i + 1, weight.get(i + 1) - 0.5 / steps);
            }
            double start = (double) i / steps;
            double startSide = start; //                                 where the piece's left end is evaluated
            for (int c = 0; c <= cuts.size(); c++) {
                boolean last = c == cuts.size();
                double end = last ? (i + 1.0) / steps : 0.5 * (cuts.get(c)[0] + cuts.get(c)[1]);
                double endSide = last ? end : cuts.get(c)[0];
                double length = end - start;
                if (trapezoid) {
                    double centre = 0.5 * (start + end);
                    addNode(alpha, weight, Math.min(startSide + inward, centre), 0.5 * length, c == 0 ? i : -1);
                    addNode(alpha, weight, Math.max(endSide - inward, centre), 0.5 * length, last ? i + 1 : -1);
                } else {
                    alpha.add(0.5 * (start + end));
                    weight.add(length);
                }
                if (!last) {
                    start = end;
                    startSide = cuts.get(c)[1];
                }
            }
        }
        double[][] nodes = new double[2][alpha.size()];
        for (int i = 0; i < nodes[0].length; i++) {
            nodes[0][i] = alpha.get(i);
            nodes[1][i] = weight.get(i);
        }
        return nodes;
    }

    /** Adds weight to the grid point {@code grid} (when &ge; 0, the trapezoid's shared ends), else a new point. */
    private static void addNode(List<Double> alpha, List<Double> weight, double at, double w, int grid) {
        if (grid >= 0) {
            weight.set(grid, weight.get(grid) + w);
        } else {
            alpha.add(at);
            weight.add(w);
        }
    }

    /**
     * The switches along one sample's path: for each of the {@code m} intervals, a bracket {@code [lo, hi]} (of
     * width at most {@link #SWITCH_TOLERANCE}, found by bisection) for each watched unit whose side differs
     * between the interval's ends, sorted by position.
     */
    private List<List<double[]>> switches(Matrix ends, int steps, List<Watch> watches, Matrix y) {
        double[] grid = new double[steps + 1];
        for (int i = 0; i <= steps; i++) {
            grid[i] = (double) i / steps;
        }
        int[][] side = sides(path(ends, grid), watches, y);
        List<double[]> open = new ArrayList<>(); //                   {lo, hi, interval, unit, side at lo}
        for (int i = 0; i < steps; i++) {
            for (int u = 0; u < side[i].length; u++) {
                if (side[i][u] != side[i + 1][u]) {
                    open.add(new double[] {grid[i], grid[i + 1], i, u, side[i][u]});
                }
            }
        }
        List<double[]> active = new ArrayList<>(open);
        for (int iteration = 0; iteration < MAX_BISECTIONS && !active.isEmpty(); iteration++) {
            double[] mid = new double[active.size()];
            for (int k = 0; k < mid.length; k++) {
                mid[k] = 0.5 * (active.get(k)[0] + active.get(k)[1]);
            }
            int[][] at = sides(path(ends, mid), watches, y); //            all brackets halved in one batch
            List<double[]> still = new ArrayList<>();
            for (int k = 0; k < mid.length; k++) {
                double[] b = active.get(k);
                if (at[k][(int) b[3]] == (int) b[4]) {
                    b[0] = mid[k];
                } else {
                    b[1] = mid[k];
                }
                double next = 0.5 * (b[0] + b[1]);
                if (b[1] - b[0] > SWITCH_TOLERANCE && next > b[0] && next < b[1]) {
                    still.add(b);
                }
            }
            active = still;
        }
        List<List<double[]>> perInterval = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            perInterval.add(new ArrayList<>());
        }
        for (double[] b : open) {
            perInterval.get((int) b[2]).add(new double[] {b[0], b[1]});
        }
        for (List<double[]> cuts : perInterval) {
            cuts.sort((p, q) -> Double.compare(p[0] + p[1], q[0] + q[1]));
        }
        return perInterval;
    }

    /**
     * For every row of {@code points}, the side of each watched unit: the number of its kinks its value lies
     * above, {@code z} for a layer's unit, {@code a − y} for a loss's output.
     */
    private int[][] sides(Matrix points, List<Watch> watches, Matrix y) {
        ForwardPass pass = ForwardPass.runForEvaluation(network, points);
        List<Matrix> values = new ArrayList<>();
        int units = 0;
        for (Watch watch : watches) {
            Matrix v = watch.layer == 0 ? pass.output()
                    : watch.key == null ? pass.weightedSums(watch.layer) : pass.recorded(watch.layer).get(watch.key);
            values.add(v);
            units += v.cols();
        }
        int[][] side = new int[points.rows()][units];
        for (int p = 0; p < side.length; p++) {
            int u = 0;
            for (int w = 0; w < watches.size(); w++) {
                Matrix v = values.get(w);
                double[] kinks = watches.get(w).kinks;
                for (int c = 0; c < v.cols(); c++) {
                    double value = v.get(p, c) - (watches.get(w).layer == 0 ? y.get(0, c) : 0);
                    int above = 0;
                    for (double kink : kinks) {
                        above += value > kink ? 1 : 0;
                    }
                    side[p][u++] = above;
                }
            }
        }
        return side;
    }

    /**
     * The units whose derivative jumps somewhere ({@link Activation#kinks()}, {@link Loss#kinks()}) and that the
     * target depends on: every layer's (and residual block's inner layers') but the output layer's for a score,
     * and the loss's outputs for the loss.
     */
    private List<Watch> watches(Target target) {
        List<Watch> watches = new ArrayList<>();
        int last = network.layerCount();
        for (int l = 1; l <= last; l++) {
            Layer layer = network.layer(l);
            if (layer instanceof Residual r) {
                watchInner(watches, l, "", r);
            }
            if (l < last || !target.beforeActivation) {
                watch(watches, l, null, layer.activation().kinks());
            }
        }
        if (target.loss != null) {
            watch(watches, 0, null, target.loss.kinks());
        }
        return watches;
    }

    private static void watchInner(List<Watch> watches, int layer, String prefix, Residual block) {
        for (int j = 0; j < block.inner().size(); j++) {
            Layer inner = block.inner().get(j);
            String name = prefix + "inner." + j + ".";
            if (inner instanceof Residual r) {
                watchInner(watches, layer, name, r);
            }
            watch(watches, layer, name + "z", inner.activation().kinks());
        }
    }

    private static void watch(List<Watch> watches, int layer, String key, double[] kinks) {
        if (kinks.length > 0) {
            double[] sorted = kinks.clone();
            Arrays.sort(sorted);
            watches.add(new Watch(layer, key, sorted));
        }
    }

    /**
     * Units watched for switches: the weighted sums of layer {@code layer} (key {@code null}), a residual block's
     * recorded inner {@code z} (its key), or for layer 0 the loss's residuals {@code a − y}; and their kinks.
     */
    private record Watch(int layer, String key, double[] kinks) {
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
