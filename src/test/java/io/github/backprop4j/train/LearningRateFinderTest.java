package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.CsvReader;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.Standardizer;
import io.github.backprop4j.optim.Optimizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The learning-rate range test on standardised irises: the rates grow exponentially, the curve stops when the
 * loss blows up, the suggestion lies in the range and trains well, the network given is not changed.
 */
class LearningRateFinderTest {

    private static final DataSet IRIS = iris();

    private static DataSet iris() {
        try (InputStream in = LearningRateFinderTest.class.getResourceAsStream("/data/iris/iris.csv")) {
            assertThat(in).as("/data/iris/iris.csv on the test classpath").isNotNull();
            DataSet raw = CsvReader.create().skipLines(1).labelColumn(4)
                    .classNames("setosa", "versicolor", "virginica").read(in);
            return Standardizer.fit(raw).transform(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Network network() {
        return Network.builder().input(4).dense(16, Activation.RELU).dense(3, Activation.SOFTMAX).seed(7).build();
    }

    private static Trainer trainer(Optimizer optimizer) {
        return Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(optimizer).batchSize(16).epochs(10)
                .logging(false).seed(3).build();
    }

    @Test
    void theRatesGrowExponentiallyFromTheMinimumToTheMaximum() {
        LearningRateFinder finder = LearningRateFinder.of(trainer(Optimizer.sgd(0.1))).range(1e-5, 1e-1).steps(101)
                .stopFactor(Double.POSITIVE_INFINITY);

        LearningRateFinder.Result result = finder.run(network(), IRIS);

        List<LearningRateFinder.Point> points = result.points();
        assertThat(points).hasSize(101); // 101 steps over 10 batches per pass: ten passes and one batch
        assertThat(result.stopReason()).isEqualTo("completed 101 steps");
        assertThat(points.get(0).learningRate()).isCloseTo(1e-5, within(1e-18));
        assertThat(points.get(100).learningRate()).isCloseTo(1e-1, within(1e-14));
        assertThat(points.get(50).learningRate()).isCloseTo(1e-3, within(1e-15)); // halfway in ln η
        double ratio = Math.pow(1e4, 1.0 / 100);
        for (int i = 1; i < points.size(); i++) {
            assertThat(points.get(i).step()).isEqualTo(i + 1);
            assertThat(points.get(i).learningRate() / points.get(i - 1).learningRate()).as("step %d", i + 1)
                    .isCloseTo(ratio, within(1e-12));
        }
    }

    @Test
    void theSmoothedLossIsTheBiasCorrectedMovingAverage() {
        LearningRateFinder.Result result = LearningRateFinder.of(trainer(Optimizer.adam(0.01))).steps(30)
                .range(1e-4, 1e-2).smoothing(0.9).run(network(), IRIS);

        double[] loss = result.losses();
        double[] smoothed = result.smoothedLosses();
        assertThat(smoothed[0]).as("the first smoothed loss is the first loss").isCloseTo(loss[0], within(1e-12));
        double m = 0;
        for (int i = 0; i < loss.length; i++) {
            m = 0.9 * m + 0.1 * loss[i];
            assertThat(smoothed[i]).isCloseTo(m / (1 - Math.pow(0.9, i + 1)), within(1e-12));
        }
        LearningRateFinder.Result raw = LearningRateFinder.of(trainer(Optimizer.adam(0.01))).steps(30)
                .range(1e-4, 1e-2).smoothing(0).run(network(), IRIS);
        assertThat(raw.smoothedLosses()).containsExactly(raw.losses());
        assertThat(raw.losses()).as("the same seed gives the same curve").containsExactly(loss);
    }

    @Test
    void theTestStopsWhenTheLossBlowsUpAndTheSuggestionLiesInTheRangeAndTrainsWell() {
        Network network = network();
        LearningRateFinder.Result result = LearningRateFinder.of(trainer(Optimizer.sgd(0.1))).range(1e-4, 1e3)
                .steps(300).run(network, IRIS);

        List<LearningRateFinder.Point> points = result.points();
        assertThat(points.size()).as("stopped early: %s", result.stopReason()).isLessThan(300);
        assertThat(result.stopReason()).containsAnyOf("exceeded", "became");
        LearningRateFinder.Point last = points.get(points.size() - 1);
        if (result.stopReason().contains("exceeded")) {
            assertThat(last.smoothedLoss()).isGreaterThan(4 * result.minimum().smoothedLoss());
        }
        double suggested = result.suggestedRate();
        assertThat(suggested).isBetween(1e-4, 1e3).isLessThan(result.minimum().learningRate());
        assertThat(suggested).isCloseTo(Math.max(1e-4, result.minimum().learningRate() / 10), within(1e-15));
        assertThat(result.steepestDescentRate()).isBetween(1e-4, result.minimum().learningRate());

        Trainer tuned = trainer(Optimizer.sgd(suggested));
        double before = tuned.evaluate(network, IRIS).get("loss");
        double after = tuned.evaluate(tuned.fit(network, IRIS).network(), IRIS).get("loss");
        assertThat(after).as("loss after 10 epochs at %s (before: %s)", suggested, before).isLessThan(0.5 * before);
        assertThat(network).as("the network given is not changed").isEqualTo(network());
    }

    static Stream<Arguments> optimizers() {
        return Stream.of(Arguments.of(Optimizer.sgd(0.1)), Arguments.of(Optimizer.momentum(0.1, 0.9)),
                Arguments.of(Optimizer.nesterov(0.1, 0.9)), Arguments.of(Optimizer.adagrad(0.1)),
                Arguments.of(Optimizer.rmsprop(0.01)), Arguments.of(Optimizer.adam(0.01)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void everyBuiltInOptimizerFindsARateInTheRangeAndLeavesTheNetworkAlone(Optimizer optimizer) {
        Network network = network();
        LearningRateFinder.Result result = LearningRateFinder.of(trainer(optimizer)).range(1e-5, 10).steps(120)
                .run(network, IRIS);

        assertThat(result.points()).isNotEmpty();
        assertThat(result.suggestedRate()).isBetween(1e-5, 10.0);
        assertThat(result.minimum().smoothedLoss()).as("the loss fell somewhere in the range")
                .isLessThan(result.points().get(0).smoothedLoss());
        assertThat(network).isEqualTo(network());
    }

    @Test
    void theCurveIsWrittenAsCsv() {
        LearningRateFinder.Result result = LearningRateFinder.of(trainer(Optimizer.adam(0.01))).steps(12)
                .run(network(), IRIS);

        List<String> lines = result.toCsv().lines().toList();
        assertThat(lines.get(0)).isEqualTo("step,learning_rate,loss,smoothed_loss");
        assertThat(lines).hasSize(result.points().size() + 1);
        for (int i = 1; i < lines.size(); i++) {
            String[] cells = lines.get(i).split(",");
            LearningRateFinder.Point p = result.points().get(i - 1);
            assertThat(Integer.parseInt(cells[0])).isEqualTo(p.step());
            assertThat(Double.parseDouble(cells[1])).isEqualTo(p.learningRate());
            assertThat(Double.parseDouble(cells[2])).isEqualTo(p.loss());
            assertThat(Double.parseDouble(cells[3])).isEqualTo(p.smoothedLoss());
        }
        assertThat(result.toString()).startsWith("suggested learning rate ").contains("steps from 1e-06 to 10: ");
        assertThat(LearningRateFinder.brief(0.56612)).isEqualTo("0.566");
        assertThat(LearningRateFinder.brief(1000)).isEqualTo("1000");
        assertThat(LearningRateFinder.brief(1.1e-4)).isEqualTo("1.1e-04");
    }

    @Test
    void badSettingsAreRefusedByName() {
        LearningRateFinder finder = LearningRateFinder.of(trainer(Optimizer.sgd(0.1)));
        assertThatIllegalArgumentException().isThrownBy(() -> finder.range(0.1, 0.01)).withMessageContaining("max")
                .withMessageContaining("0.01").withMessageContaining("0.1");
        assertThatIllegalArgumentException().isThrownBy(() -> finder.range(0, 1)).withMessageContaining("min");
        assertThatIllegalArgumentException().isThrownBy(() -> finder.steps(1)).withMessageContaining("steps");
        assertThatIllegalArgumentException().isThrownBy(() -> finder.smoothing(1)).withMessageContaining("smoothing");
        assertThatIllegalArgumentException().isThrownBy(() -> finder.stopFactor(1)).withMessageContaining("stopFactor");
        Network wrong = Network.builder().input(3).dense(3, Activation.SOFTMAX).seed(1).build();
        assertThatIllegalArgumentException().isThrownBy(() -> finder.run(wrong, IRIS)).withMessageContaining("data")
                .withMessageContaining("4").withMessageContaining("3");
    }
}
