package io.github.backprop4j;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import java.util.Map;

/** The losses behind the constants and factories of {@link Loss}. */
final class BuiltInLosses {

    private BuiltInLosses() {
    }

    /** PyTorch's default delta of the Huber loss; written here once. */
    static final double DEFAULT_HUBER_DELTA = 1.0;

    static final Loss MSE = new ElementwiseLoss("mse") {
        @Override
        double loss(double a, double y) {
            double d = a - y;
            return d * d;
        }

        @Override
        double derivative(double a, double y) {
            return 2 * (a - y);
        }
    };

    static final Loss MAE = new ElementwiseLoss("mae") {
        @Override
        double loss(double a, double y) {
            return Math.abs(a - y);
        }

        @Override
        double derivative(double a, double y) {
            return Math.signum(a - y);
        }

        /** {@code sign(a − y)} jumps where the residual crosses 0. */
        @Override
        public double[] kinks() {
            return new double[] {0};
        }
    };

    static final Loss HUBER = new Huber(DEFAULT_HUBER_DELTA);

    static final Loss CROSS_ENTROPY = new CrossEntropy();

    static final Loss BINARY_CROSS_ENTROPY = new BinaryCrossEntropy();

    /** A loss that is the mean over every sample and output of {@code loss(a, y)}. */
    private abstract static class ElementwiseLoss implements Loss {
        private final String name;

        ElementwiseLoss(String name) {
            this.name = name;
        }

        abstract double loss(double a, double y);

        abstract double derivative(double a, double y);

        @Override
        public String name() {
            return name;
        }

        /** {@code C = (1/(batch·outputs)) Σ loss(a, y)}. */
        @Override
        public double value(Matrix z, Matrix a, Matrix target) {
            Matrix terms = a.copy();
            Matrix.zip(a, target, this::loss, terms);
            return terms.sum() / ((double) a.rows() * a.cols());
        }

        /** {@code ∂C/∂a = loss'(a, y) / (batch·outputs)}. */
        @Override
        public void gradient(Matrix a, Matrix target, Matrix out) {
            double n = (double) a.rows() * a.cols();
            Matrix.zip(a, target, (ai, yi) -> derivative(ai, yi) / n, out);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The Huber loss with the given delta. */
    static final class Huber extends ElementwiseLoss {
        private final double delta;

        Huber(double delta) {
            super("huber");
            this.delta = Checks.positiveFinite(delta, "delta");
        }

        @Override
        double loss(double a, double y) {
            double d = Math.abs(a - y);
            return d <= delta ? 0.5 * d * d : delta * (d - 0.5 * delta);
        }

        @Override
        double derivative(double a, double y) {
            double d = a - y;
            return Math.abs(d) <= delta ? d : delta * Math.signum(d);
        }

        @Override
        public Map<String, Double> parameters() {
            return Map.of("delta", delta);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Huber h && Double.compare(h.delta, delta) == 0;
        }

        @Override
        public int hashCode() {
            return Double.hashCode(delta);
        }

        @Override
        public String toString() {
            return "huber(delta=" + delta + ")";
        }
    }

    /** Softmax cross-entropy, computed from the weighted sums. */
    private static final class CrossEntropy implements Loss {
        @Override
        public String name() {
            return "cross_entropy";
        }

        @Override
        public void checkOutputActivation(Activation outputActivation, int outputLayer) {
            if (!outputActivation.equals(Activation.SOFTMAX)) {
                throw new IllegalArgumentException("loss cross_entropy needs a softmax output layer, but layer "
                        + outputLayer + " (the output layer) has " + outputActivation
                        + "; use Activation.SOFTMAX on the last layer");
            }
        }

        @Override
        public void checkTargets(Matrix targets) {
            requireInUnitInterval(targets, false);
        }

        /** {@code C = (1/batch) Σ_samples Σᵢ yᵢ·(logΣⱼe^zⱼ − zᵢ)}. */
        @Override
        public double value(Matrix z, Matrix a, Matrix target) {
            return Matrix.softmaxCrossEntropy(z, target) / z.rows();
        }

        /** {@code ∂C/∂a = −y / (a·batch)}; used only by a caller that asks for it, since δᴸ is fused. */
        @Override
        public void gradient(Matrix a, Matrix target, Matrix out) {
            double n = a.rows();
            Matrix.zip(a, target, (ai, yi) -> -yi / (ai * n), out);
        }

        /** {@code δᴸ = (a·Σy − y) / batch}. */
        @Override
        public void outputErrorSignal(Activation outputActivation, Matrix z, Matrix a, Matrix target,
                Matrix delta) {
            Matrix.softmaxCrossEntropyErrorSignal(a, target, 1.0 / a.rows(), delta);
        }

        @Override
        public String toString() {
            return name();
        }
    }

    /**
     * Softmax cross-entropy with a weight per class, as PyTorch's {@code CrossEntropyLoss(weight=w)} for
     * class-index (one-hot) targets: {@code C = Σ_samples Σᵢ wᵢyᵢ·(logΣⱼe^zⱼ − zᵢ) / Σ_samples sᵣ} with sample
     * weight {@code sᵣ = Σᵢ wᵢyᵢ}, and {@code δᴸ = (sᵣ·a − w⊙y) / Σ sᵣ}. (For soft targets PyTorch divides by
     * the batch size instead; this loss keeps the weighted mean.) A batch whose samples all weigh 0 costs 0
     * and sends no error signal.
     */
    static final class WeightedCrossEntropy implements Loss {
        private final double[] classWeights;

        WeightedCrossEntropy(double[] classWeights) {
            Checks.notNull(classWeights, "classWeights");
            if (classWeights.length == 0) {
                throw new IllegalArgumentException("classWeights must not be empty");
            }
            boolean anyPositive = false;
            for (int i = 0; i < classWeights.length; i++) {
                anyPositive |= Checks.nonNegativeFinite(classWeights[i], "classWeights[" + i + "]") > 0;
            }
            if (!anyPositive) {
                throw new IllegalArgumentException("classWeights: at least one class weight must be > 0, all were 0");
            }
            this.classWeights = classWeights.clone();
        }

        @Override
        public String name() {
            return "weighted_cross_entropy";
        }

        @Override
        public void checkOutputActivation(Activation outputActivation, int outputLayer) {
            CROSS_ENTROPY.checkOutputActivation(outputActivation, outputLayer);
        }

        @Override
        public void checkTargets(Matrix targets) {
            CROSS_ENTROPY.checkTargets(targets);
            if (targets.cols() != classWeights.length) {
                throw new IllegalArgumentException("classWeights has " + classWeights.length
                        + " entries but the targets have " + targets.cols() + " classes");
            }
        }

        /** {@code w⊙y}: the targets with each class column scaled by its weight. */
        private Matrix weightedTargets(Matrix target) {
            Matrix diagonal = Matrix.zeros(target.precision(), classWeights.length, classWeights.length);
            for (int i = 0; i < classWeights.length; i++) {
                diagonal.set(i, i, classWeights[i]);
            }
            Matrix weighted = Matrix.zeros(target.precision(), target.rows(), target.cols());
            Matrix.multiply(target, diagonal, weighted);
            return weighted;
        }

        @Override
        public double value(Matrix z, Matrix a, Matrix target) {
            Matrix wy = weightedTargets(target);
            Matrix sampleWeights = Matrix.zeros(z.precision(), z.rows(), 1);
            wy.rowSums(sampleWeights);
            Matrix logSumExp = Matrix.zeros(z.precision(), z.rows(), 1);
            z.logSumExpRows(logSumExp);
            double total = sampleWeights.sum();
            return total == 0 ? 0 : (Matrix.dot(logSumExp, sampleWeights) - Matrix.dot(wy, z)) / total;
        }

        @Override
        public void gradient(Matrix a, Matrix target, Matrix out) {
            Matrix wy = weightedTargets(target);
            Matrix sampleWeights = Matrix.zeros(a.precision(), a.rows(), 1);
            wy.rowSums(sampleWeights);
            double total = sampleWeights.sum();
            Matrix.zip(a, wy, (ai, wyi) -> -wyi / (ai * total), out);
        }

        @Override
        public void outputErrorSignal(Activation outputActivation, Matrix z, Matrix a, Matrix target,
                Matrix delta) {
            Matrix wy = weightedTargets(target);
            Matrix sampleWeights = Matrix.zeros(z.precision(), z.rows(), 1);
            wy.rowSums(sampleWeights);
            delta.copyFrom(a);
            delta.multiplyRows(sampleWeights);
            delta.addScaled(-1, wy);
            double total = sampleWeights.sum();
            delta.scale(total == 0 ? 0 : 1 / total);
        }

        /** Returns {@code {weight0=w₀, weight1=w₁, …}}. */
        @Override
        public Map<String, Double> parameters() {
            Map<String, Double> p = new java.util.LinkedHashMap<>();
            for (int i = 0; i < classWeights.length; i++) {
                p.put("weight" + i, classWeights[i]);
            }
            return java.util.Collections.unmodifiableMap(p);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof WeightedCrossEntropy w && java.util.Arrays.equals(w.classWeights, classWeights);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(classWeights);
        }

        @Override
        public String toString() {
            return "cross_entropy(classWeights=" + java.util.Arrays.toString(classWeights) + ")";
        }
    }

    /** Binary cross-entropy after a sigmoid, computed from the weighted sums (the logits). */
    private static final class BinaryCrossEntropy implements Loss {
        @Override
        public String name() {
            return "binary_cross_entropy";
        }

        @Override
        public void checkOutputActivation(Activation outputActivation, int outputLayer) {
            if (!outputActivation.equals(Activation.SIGMOID)) {
                throw new IllegalArgumentException("loss binary_cross_entropy needs a sigmoid output layer, but layer "
                        + outputLayer + " (the output layer) has " + outputActivation
                        + "; use Activation.SIGMOID on the last layer");
            }
        }

        @Override
        public void checkTargets(Matrix targets) {
            requireInUnitInterval(targets, true);
        }

        /** {@code C = mean(max(z, 0) − z·y + log(1 + e^−|z|))}, which equals {@code mean(−y·log a − (1−y)·log(1−a))}. */
        @Override
        public double value(Matrix z, Matrix a, Matrix target) {
            Matrix terms = z.copy();
            Matrix.zip(z, target, (zi, yi) -> Math.max(zi, 0) - zi * yi + Math.log1p(Math.exp(-Math.abs(zi))), terms);
            return terms.sum() / ((double) z.rows() * z.cols());
        }

        /** {@code ∂C/∂a = (a − y) / (a·(1 − a)·batch·outputs)}; δᴸ itself is fused. */
        @Override
        public void gradient(Matrix a, Matrix target, Matrix out) {
            double n = (double) a.rows() * a.cols();
            Matrix.zip(a, target, (ai, yi) -> (ai - yi) / (ai * (1 - ai) * n), out);
        }

        /** {@code δᴸ = (a − y) / (batch·outputs)}. */
        @Override
        public void outputErrorSignal(Activation outputActivation, Matrix z, Matrix a, Matrix target,
                Matrix delta) {
            delta.copyFrom(a);
            delta.addScaled(-1, target);
            delta.scale(1.0 / ((double) a.rows() * a.cols()));
        }

        @Override
        public String toString() {
            return name();
        }
    }

    /** Refuses a negative target, or (for binary cross-entropy) one above 1, naming its row and column. */
    private static void requireInUnitInterval(Matrix targets, boolean upperBoundToo) {
        int[] at = targets.firstWhere(y -> y < 0 || (upperBoundToo && y > 1));
        if (at != null) {
            throw new IllegalArgumentException("targets: row " + at[0] + ", column " + at[1] + " is "
                    + targets.get(at[0], at[1]) + "; " + (upperBoundToo
                            ? "binary cross-entropy needs targets in [0, 1]"
                            : "cross-entropy needs targets >= 0"));
        }
    }
}
