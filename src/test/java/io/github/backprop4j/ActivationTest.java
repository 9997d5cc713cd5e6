package io.github.backprop4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.within;

import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Known values and derivatives of the built-in activations (reference values from Python's {@code math},
 * the formulas PyTorch documents), their numerically delicate regions, and their identities.
 */
class ActivationTest {

    private static final double TOL = 1e-15;

    private static ElementwiseActivation elementwise(Activation activation) {
        return (ElementwiseActivation) activation;
    }

    @ParameterizedTest(name = "{0}({1}) = {2}, derivative {3}")
    @CsvSource({
        "identity,   3,     3,                     1",
        "identity,  -2,    -2,                     1",
        "sigmoid,    0,     0.5,                   0.25",
        "sigmoid,    1,     0.7310585786300049,    0.19661193324148185",
        "tanh,       0.5,   0.46211715726000974,   0.7864477329659274",
        "relu,       2,     2,                     1",
        "relu,      -1,     0,                     0",
        "relu,       0,     0,                     0",
        "leaky_relu, -2,   -0.02,                  0.01",
        "leaky_relu, 1.5,   1.5,                   1",
        "elu,       -1,    -0.6321205588285577,    0.36787944117144233",
        "elu,        2,     2,                     1",
        "softplus,   0,     0.6931471805599453,    0.5",
        "softplus,  19,    19.000000005602796,     0.9999999943972036",
        "softplus,  20,    20.000000002061153,     0.9999999979388464",
        "softplus,  20.5,  20.5,                   1",
        "silu,       1,     0.7310585786300049,    0.9276705118714869",
        "silu,       0,     0,                     0.5",
        "gelu_tanh,  1,     0.8411919906082768,    1.0829640838457826",
        "gelu_tanh, -1,    -0.15880800939172324,  -0.0829640838457826",
        "gelu_tanh,  0,     0,                     0.5",
    })
    void knownValuesAndDerivatives(String name, double z, double value, double derivative) {
        ElementwiseActivation activation = elementwise(byName(name));

        double a = activation.value(z);

        assertThat(activation.name()).isEqualTo(name);
        assertThat(a).isCloseTo(value, within(TOL * Math.max(1, Math.abs(value))));
        assertThat(activation.derivative(z, a)).isCloseTo(derivative, within(1e-14));
    }

    private static Activation byName(String name) {
        return switch (name) {
            case "identity" -> Activation.IDENTITY;
            case "sigmoid" -> Activation.SIGMOID;
            case "tanh" -> Activation.TANH;
            case "relu" -> Activation.RELU;
            case "leaky_relu" -> Activation.LEAKY_RELU;
            case "elu" -> Activation.ELU;
            case "softplus" -> Activation.SOFTPLUS;
            case "silu" -> Activation.SILU;
            case "gelu_tanh" -> Activation.GELU;
            default -> throw new IllegalArgumentException(name);
        };
    }

    @Test
    void softplusReturnsItsInputAboveTheThresholdOf20() {
        ElementwiseActivation softplus = elementwise(Activation.SOFTPLUS);

        assertThat(softplus.value(20.000001)).isEqualTo(20.000001);
        assertThat(softplus.value(1000)).isEqualTo(1000);
        assertThat(softplus.derivative(1000, 1000)).isEqualTo(1);
        assertThat(softplus.value(-1000)).isEqualTo(0);
        assertThat(softplus.derivative(-1000, 0)).isEqualTo(0);
    }

    @Test
    void sigmoidIsStableAtLargeMagnitudes() {
        ElementwiseActivation sigmoid = elementwise(Activation.SIGMOID);

        assertThat(sigmoid.value(-1000)).isEqualTo(0);
        assertThat(sigmoid.value(1000)).isEqualTo(1);
        assertThat(sigmoid.value(-30)).isCloseTo(9.3576229688393e-14, within(1e-28));
        assertThat(sigmoid.derivative(-1000, 0)).isEqualTo(0);
        assertThat(elementwise(Activation.SILU).value(-1000)).isEqualTo(-0.0);
        assertThat(elementwise(Activation.GELU).value(-1000)).isEqualTo(-0.0);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void elementwiseActivationsWorkOnWholeBatchesWithoutNaN(Precision precision) {
        Matrix z = Matrix.of(precision, new double[][] {{-1000, 0, 1000}, {-1, 0.5, 2}}, "z");
        Matrix a = Matrix.zeros(precision, 2, 3);
        Matrix upstream = Matrix.of(precision, new double[][] {{1, 1, 1}, {2, -1, 0.5}}, "g");
        Matrix out = Matrix.zeros(precision, 2, 3);

        Activation.SIGMOID.forward(z, a);
        Activation.SIGMOID.backward(z, a, upstream, out);

        assertThat(a.firstNonFinite()).isNull();
        assertThat(out.firstNonFinite()).isNull();
        assertThat(a.row(0)).containsExactly(0, 0.5, 1);
        assertThat(out.get(1, 1)).isCloseTo(-0.2350037122015945, within(1e-7));
    }

    @Test
    void customActivationMayBeComputedInPlace() {
        Matrix z = Matrix.of(Precision.FLOAT64, new double[][] {{1, -2}}, "z");
        Activation square = Activation.elementwise("square", x -> x * x, (x, a) -> 2 * x);

        square.forward(z, z);

        assertThat(z.row(0)).containsExactly(1, 4);
    }

    @Test
    void softmaxForwardAndBackwardMatchHandComputedValues() {
        Matrix z = Matrix.of(Precision.FLOAT64, new double[][] {{1, 2, 3}}, "z");
        Matrix a = Matrix.zeros(Precision.FLOAT64, 1, 3);
        Matrix g = Matrix.of(Precision.FLOAT64, new double[][] {{1, 0, -1}}, "g");

        Activation.SOFTMAX.forward(z, a);
        Activation.SOFTMAX.backward(z, a, g, g); // in place: out may be the upstream gradient

        assertThat(a.row(0)).containsExactly(new double[] {0.09003057317038046, 0.24472847105479767,
            0.6652409557748219}, within(1e-15));
        assertThat(g.row(0)).containsExactly(new double[] {0.14181709360981218, 0.14077035746963015,
            -0.2825874510794423}, within(1e-15));
    }

    @Test
    void parametrisedActivationsAreValues() {
        assertThat(Activation.leakyRelu(0.01)).isEqualTo(Activation.LEAKY_RELU)
                .hasSameHashCodeAs(Activation.LEAKY_RELU);
        assertThat(Activation.elu(1)).isEqualTo(Activation.ELU);
        assertThat(Activation.leakyRelu(0.2)).isNotEqualTo(Activation.LEAKY_RELU);
        assertThat(Activation.leakyRelu(0.2).parameters()).isEqualTo(Map.of("slope", 0.2));
        assertThat(Activation.elu(0.5).parameters()).isEqualTo(Map.of("alpha", 0.5));
        assertThat(Activation.RELU.parameters()).isEmpty();
        assertThat(Activation.leakyRelu(0.2)).hasToString("leaky_relu(slope=0.2)");
        assertThat(Activation.elu(0.5)).hasToString("elu(alpha=0.5)");
        assertThat(elementwise(Activation.leakyRelu(0.2)).value(-2)).isCloseTo(-0.4, within(TOL));
        assertThat(elementwise(Activation.elu(0.5)).value(-1)).isCloseTo(-0.31606027941427883, within(TOL));
        assertThat(elementwise(Activation.elu(0.5)).derivative(-1, -0.31606027941427883))
                .isCloseTo(0.18393972058572117, within(TOL));
    }

    @Test
    void userActivationsAreEqualOnlyToThemselves() {
        Activation a = Activation.elementwise("cube", z -> z * z * z, (z, y) -> 3 * z * z);
        Activation b = Activation.elementwise("cube", z -> z * z * z, (z, y) -> 3 * z * z);

        assertThat(a).isEqualTo(a).isNotEqualTo(b).hasToString("cube");
        assertThat(a.name()).isEqualTo("cube");
        assertThat(a.defaultWeightInit()).isEqualTo(WeightInit.GLOROT_UNIFORM);
    }

    @Test
    void reluFamilyDefaultsToHeAndTheRestToGlorot() {
        for (Activation a : new Activation[] {Activation.RELU, Activation.LEAKY_RELU, Activation.ELU,
            Activation.leakyRelu(0.3), Activation.elu(2)}) {
            assertThat(a.defaultWeightInit()).as("%s", a).isEqualTo(WeightInit.HE_UNIFORM);
        }
        for (Activation a : new Activation[] {Activation.IDENTITY, Activation.SIGMOID, Activation.TANH,
            Activation.SOFTPLUS, Activation.SOFTMAX}) {
            assertThat(a.defaultWeightInit()).as("%s", a).isEqualTo(WeightInit.GLOROT_UNIFORM);
        }
    }

    @Test
    void badParametersAreNamed() {
        assertThatIllegalArgumentException().isThrownBy(() -> Activation.leakyRelu(-0.1))
                .withMessageContaining("slope").withMessageContaining("-0.1");
        assertThatIllegalArgumentException().isThrownBy(() -> Activation.leakyRelu(Double.NaN))
                .withMessageContaining("slope");
        assertThatIllegalArgumentException().isThrownBy(() -> Activation.elu(0))
                .withMessageContaining("alpha").withMessageContaining("> 0");
        assertThatIllegalArgumentException().isThrownBy(() -> Activation.elu(Double.POSITIVE_INFINITY))
                .withMessageContaining("alpha");
        assertThatNullPointerException().isThrownBy(() -> Activation.elementwise(null, z -> z, (z, a) -> 1))
                .withMessage("name must not be null");
        assertThatNullPointerException().isThrownBy(() -> Activation.elementwise("f", null, (z, a) -> 1))
                .withMessage("function must not be null");
        assertThatNullPointerException().isThrownBy(() -> Activation.elementwise("f", z -> z, null))
                .withMessage("derivative must not be null");
    }
}
