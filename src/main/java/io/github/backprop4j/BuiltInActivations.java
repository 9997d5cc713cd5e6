package io.github.backprop4j;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/** The activations behind the constants and factories of {@link Activation}. */
final class BuiltInActivations {

    private BuiltInActivations() {
    }

    /** √(2/π), the constant of the tanh approximation of GELU. */
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    /** The cubic coefficient of the tanh approximation of GELU. */
    private static final double GELU_CUBIC = 0.044715;
    /** Above this input softplus returns its input, as PyTorch's {@code threshold=20} does. */
    private static final double SOFTPLUS_THRESHOLD = 20;
    /** PyTorch's default slope of the leaky ReLU; written here once. */
    static final double DEFAULT_LEAKY_SLOPE = 0.01;
    /** PyTorch's default alpha of the ELU; written here once. */
    static final double DEFAULT_ELU_ALPHA = 1.0;

    static final Activation IDENTITY = new Named("identity", false) {
        @Override
        public double value(double z) {
            return z;
        }

        @Override
        public double derivative(double z, double a) {
            return 1;
        }
    };

    static final Activation SIGMOID = new Named("sigmoid", false) {
        @Override
        public double value(double z) {
            return sigmoid(z);
        }

        @Override
        public double derivative(double z, double a) {
            return a * (1 - a);
        }
    };

    static final Activation TANH = new Named("tanh", false) {
        @Override
        public double value(double z) {
            return StrictMath.tanh(z); // Math.tanh is an intrinsic from JDK 24 on, rounding unlike JDK 17's
        }

        @Override
        public double derivative(double z, double a) {
            return 1 - a * a;
        }
    };

    static final Activation RELU = new Named("relu", true) {
        @Override
        public double value(double z) {
            return z > 0 ? z : 0;
        }

        @Override
        public double derivative(double z, double a) {
            return z > 0 ? 1 : 0;
        }

        /** {@code relu'} jumps from 0 to 1 at 0. */
        @Override
        public double[] kinks() {
            return new double[] {0};
        }

        /** The same values as the element-wise default, through an array kernel. */
        @Override
        public void forward(Matrix z, Matrix a) {
            z.relu(a);
        }

        /** The bias add and the ReLU in one pass over z, with the bits of the two steps. */
        @Override
        public void forward(Matrix z, Matrix bias, Matrix a) {
            z.addRowVectorRelu(bias, a);
        }

        /** The same values as the element-wise default, {@code g ⊙ relu'(z)}, through an array kernel. */
        @Override
        public void backward(Matrix z, Matrix a, Matrix upstream, Matrix out) {
            Matrix.reluBackward(z, upstream, out);
        }
    };

    static final Activation LEAKY_RELU = new LeakyRelu(DEFAULT_LEAKY_SLOPE);

    static final Activation ELU = new Elu(DEFAULT_ELU_ALPHA);

    static final Activation SOFTPLUS = new Named("softplus", false) {
        @Override
        public double value(double z) {
            return z > SOFTPLUS_THRESHOLD ? z : Math.log1p(Math.exp(z));
        }

        @Override
        public double derivative(double z, double a) {
            return z > SOFTPLUS_THRESHOLD ? 1 : sigmoid(z);
        }
    };

    static final Activation SILU = new Named("silu", true) {
        @Override
        public double value(double z) {
            return z * sigmoid(z);
        }

        @Override
        public double derivative(double z, double a) {
            double s = sigmoid(z);
            return s * (1 + z * (1 - s));
        }
    };

    static final Activation GELU = new Named("gelu_tanh", true) {
        @Override
        public double value(double z) {
            return 0.5 * z * (1 + StrictMath.tanh(SQRT_2_OVER_PI * (z + GELU_CUBIC * z * z * z)));
        }

        @Override
        public double derivative(double z, double a) {
            double t = StrictMath.tanh(SQRT_2_OVER_PI * (z + GELU_CUBIC * z * z * z));
            return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * GELU_CUBIC * z * z);
        }
    };

    static final Activation SOFTMAX = new Softmax();

    /** The logistic function, evaluated without overflow for large negative z. */
    static double sigmoid(double z) {
        if (z >= 0) {
            return 1 / (1 + Math.exp(-z));
        }
        double e = Math.exp(z);
        return e / (1 + e);
    }

    /** A parameterless element-wise activation, equal only to itself; its name is its {@code toString}. */
    private abstract static class Named implements ElementwiseActivation {
        private final String name;
        private final boolean reluFamily;
        /**
         * {@code this::value} and {@code this::derivative}, made once: the interface's default methods make a new
         * bound method reference in every call, an allocation in every training step the JIT does not always
         * remove. The same functions, so the same bits.
         */
        private final java.util.function.DoubleUnaryOperator valueFunction = this::value;
        private final java.util.function.DoubleBinaryOperator derivativeFunction = this::derivative;

        Named(String name, boolean reluFamily) {
            this.name = name;
            this.reluFamily = reluFamily;
        }

        @Override
        public void forward(Matrix z, Matrix a) {
            z.map(valueFunction, a);
        }

        @Override
        public void backward(Matrix z, Matrix a, Matrix upstream, Matrix out) {
            Matrix.mapBackward(z, a, upstream, derivativeFunction, out);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public WeightInit defaultWeightInit() {
            return reluFamily ? WeightInit.HE_UNIFORM : WeightInit.GLOROT_UNIFORM;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** {@code σ(z) = z} for {@code z > 0}, else {@code slope·z}. */
    record LeakyRelu(double slope) implements ElementwiseActivation {
        LeakyRelu {
            Checks.nonNegativeFinite(slope, "slope");
        }

        @Override
        public String name() {
            return "leaky_relu";
        }

        @Override
        public Map<String, Double> parameters() {
            return Map.of("slope", slope);
        }

        @Override
        public double value(double z) {
            return z > 0 ? z : slope * z;
        }

        @Override
        public double derivative(double z, double a) {
            return z > 0 ? 1 : slope;
        }

        /** The derivative jumps from {@code slope} to 1 at 0, unless the slope is 1. */
        @Override
        public double[] kinks() {
            return slope == 1 ? new double[0] : new double[] {0};
        }

        @Override
        public WeightInit defaultWeightInit() {
            return WeightInit.HE_UNIFORM;
        }

        @Override
        public String toString() {
            return "leaky_relu(slope=" + slope + ")";
        }
    }

    /** {@code σ(z) = z} for {@code z > 0}, else {@code alpha·(e^z − 1)}. */
    record Elu(double alpha) implements ElementwiseActivation {
        Elu {
            Checks.positiveFinite(alpha, "alpha");
        }

        @Override
        public String name() {
            return "elu";
        }

        @Override
        public Map<String, Double> parameters() {
            return Map.of("alpha", alpha);
        }

        @Override
        public double value(double z) {
            return z > 0 ? z : alpha * Math.expm1(z);
        }

        @Override
        public double derivative(double z, double a) {
            return z > 0 ? 1 : alpha * Math.exp(z);
        }

        /** The derivative jumps from {@code alpha} to 1 at 0, unless alpha is 1. */
        @Override
        public double[] kinks() {
            return alpha == 1 ? new double[0] : new double[] {0};
        }

        @Override
        public WeightInit defaultWeightInit() {
            return WeightInit.HE_UNIFORM;
        }

        @Override
        public String toString() {
            return "elu(alpha=" + alpha + ")";
        }
    }

    /** A user's element-wise activation made from two functions. */
    static final class Custom implements ElementwiseActivation {
        private final String name;
        private final DoubleUnaryOperator function;
        private final DoubleBinaryOperator derivative;

        Custom(String name, DoubleUnaryOperator function, DoubleBinaryOperator derivative) {
            this.name = Checks.notNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank: it identifies the activation in messages"
                        + " and files");
            }
            this.function = Checks.notNull(function, "function");
            this.derivative = Checks.notNull(derivative, "derivative");
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public double value(double z) {
            return function.applyAsDouble(z);
        }

        @Override
        public double derivative(double z, double a) {
            return derivative.applyAsDouble(z, a);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The row-wise softmax; its backward step is {@code ∂C/∂z = a ⊙ (g − (g·a))} per row. */
    private static final class Softmax implements Activation {
        @Override
        public String name() {
            return "softmax";
        }

        @Override
        public void forward(Matrix z, Matrix a) {
            z.softmaxRows(a);
        }

        @Override
        public void backward(Matrix z, Matrix a, Matrix upstream, Matrix out) {
            Matrix.softmaxBackward(a, upstream, out);
        }

        @Override
        public String toString() {
            return name();
        }
    }
}
