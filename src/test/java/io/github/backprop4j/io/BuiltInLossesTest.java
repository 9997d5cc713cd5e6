package io.github.backprop4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.backprop4j.Loss;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every built-in loss, parameters included, can be saved by name (e.g. in a checkpoint) and comes back equal. */
class BuiltInLossesTest {

    static Stream<Loss> losses() {
        return Stream.of(Loss.MSE, Loss.MAE, Loss.HUBER, Loss.huber(0.25), Loss.CROSS_ENTROPY,
                Loss.BINARY_CROSS_ENTROPY, Loss.crossEntropy(1, 3, 0.5));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void describedLossIsRecreatedEqual(Loss loss) {
        Components.Described described = Components.describe(loss);

        assertThat(Components.loss(described.name(), described.parameters())).isEqualTo(loss);
    }

    @Test
    void parametersOfTheParameterisedLosses() {
        assertThat(Loss.huber(0.25).parameters()).isEqualTo(Map.of("delta", 0.25));
        assertThat(Loss.crossEntropy(1, 3).parameters()).isEqualTo(Map.of("weight0", 1.0, "weight1", 3.0));
        assertThat(Loss.MSE.parameters()).isEmpty();
    }

    @Test
    void aGapInTheClassWeightsIsNamed() {
        assertThatThrownBy(() -> Components.loss("weighted_cross_entropy", Map.of("weight0", 1.0, "weight2", 2.0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weight0..weight1");
    }
}
