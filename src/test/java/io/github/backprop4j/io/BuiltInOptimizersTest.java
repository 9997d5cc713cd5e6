package io.github.backprop4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.backprop4j.optim.Optimizer;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every built-in optimizer configuration can be saved by name (e.g. in a checkpoint) and comes back equal. */
class BuiltInOptimizersTest {

    static Stream<Optimizer> optimizers() {
        return Stream.of(
                Optimizer.sgd(0.1), Optimizer.sgd(0.1).withWeightDecay(0.01),
                Optimizer.momentum(0.05, 0.9), Optimizer.nesterov(0.05, 0.8),
                Optimizer.adagrad(0.1), Optimizer.adagrad(0.2).withEpsilon(1e-8).withInitialAccumulator(0.1),
                Optimizer.rmsprop(0.01), Optimizer.rmsprop(0.02).withAlpha(0.9).withEpsilon(1e-6),
                Optimizer.adam(0.001), Optimizer.adam(0.002).withBetas(0.8, 0.99).withEpsilon(1e-7),
                Optimizer.adamW(0.001, 0.01), Optimizer.adamW(0.001, 0.01).excludingBiasesFromDecay()
                        .withBetas(0.85, 0.995));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void describedOptimizerIsRecreatedEqual(Optimizer optimizer) {
        Components.Described described = Components.describe(optimizer);

        assertThat(Components.optimizer(described.name(), described.parameters())).isEqualTo(optimizer);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void distinctConfigurationsHaveDistinctDescriptions(Optimizer optimizer) {
        List<Components.Described> all = optimizers().map(Components::describe).toList();

        assertThat(all).containsOnlyOnce(Components.describe(optimizer));
    }

    @org.junit.jupiter.api.Test
    void missingHyperParameterIsNamed() {
        assertThatThrownBy(() -> Components.optimizer("adam", Map.of("learning_rate", 0.1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("adam").hasMessageContaining("beta1");
    }
}
