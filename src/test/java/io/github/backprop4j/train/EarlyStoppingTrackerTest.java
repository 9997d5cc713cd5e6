package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Network;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The early-stopping bookkeeping of one run: patience, min delta, the best network, resumed counts. */
class EarlyStoppingTrackerTest {

    private static EpochSummary epoch(int number, String measurement, double value) {
        return new EpochSummary(number, Map.of(measurement, value), 10, Duration.ZERO, 0.1);
    }

    /** A distinct network per epoch, told apart by its seed. */
    private static Network network(int seed) {
        return Network.builder().input(2).dense(1, Activation.IDENTITY).seed(seed).build();
    }

    /** Feeds the values as epochs 1, 2, … of {@code measurement}; returns each epoch's answer. */
    private static List<String> feed(EarlyStopping.Tracker tracker, String measurement, double... values) {
        List<String> answers = new ArrayList<>();
        for (int e = 1; e <= values.length; e++) {
            answers.add(tracker.epochEnded(epoch(e, measurement, values[e - 1]), network(e)));
        }
        return answers;
    }

    @Test
    void stopsWhenPatienceRunsOutAndNamesTheBestEpoch() {
        EarlyStopping.Tracker tracker = new EarlyStopping.Tracker(EarlyStopping.monitor("loss").patience(2), false,
                network(0));

        List<String> answers = feed(tracker, "loss", 1.0, 0.9, 0.95, 0.96);

        assertThat(answers.subList(0, 3)).containsOnlyNulls();
        assertThat(answers.get(3)).isEqualTo("early stopping after epoch 4: loss did not improve on 0.9 (epoch 2) "
                + "for 2 epochs; restored the network of epoch 2");
        assertThat(tracker.bestEpoch()).isEqualTo(2);
        assertThat(tracker.bestValue()).isEqualTo(0.9);
        assertThat(tracker.epochsWithoutImprovement()).isEqualTo(2);
        assertThat(tracker.restoresBest()).isTrue();
        assertThat(tracker.best()).isEqualTo(network(2)).isNotEqualTo(network(4));
    }

    @Test
    void anImprovementResetsThePatience() {
        EarlyStopping.Tracker tracker = new EarlyStopping.Tracker(EarlyStopping.monitor("loss").patience(2), false,
                network(0));

        List<String> answers = feed(tracker, "loss", 1.0, 1.1, 0.8, 0.9, 0.85);

        assertThat(answers.subList(0, 4)).containsOnlyNulls();
        assertThat(answers.get(4)).startsWith("early stopping after epoch 5: loss did not improve on 0.8 (epoch 3)");
        assertThat(tracker.best()).isEqualTo(network(3));
    }

    @Test
    void anEpochMustBeatTheBestByMoreThanMinDelta() {
        EarlyStopping.Tracker lower = new EarlyStopping.Tracker(
                EarlyStopping.monitor("loss").patience(5).minDelta(0.1), false, network(0));
        feed(lower, "loss", 1.0, 0.95, 0.9, 0.85);
        assertThat(lower.bestEpoch()).as("0.95 and 0.9 are not below 1.0 − 0.1; 0.85 is").isEqualTo(4);
        assertThat(lower.best()).isEqualTo(network(4));

        EarlyStopping.Tracker higher = new EarlyStopping.Tracker(
                EarlyStopping.monitor("accuracy").patience(5).minDelta(0.1), true, network(0));
        feed(higher, "accuracy", 0.5, 0.55, 0.45, 0.61);
        assertThat(higher.bestEpoch()).as("higher is better: only 0.61 beats 0.5 + 0.1").isEqualTo(4);
        assertThat(higher.epochsWithoutImprovement()).isZero();
    }

    @Test
    void withoutRestoringTheReasonSaysNothingOfARestoredNetwork() {
        EarlyStopping.Tracker tracker = new EarlyStopping.Tracker(
                EarlyStopping.monitor("val_loss").patience(1).restoreBest(false), false, network(0));

        List<String> answers = feed(tracker, "val_loss", 1.0, 2.0);

        assertThat(answers.get(1)).isEqualTo("early stopping after epoch 2: val_loss did not improve on 1.0 "
                + "(epoch 1) for 1 epochs");
        assertThat(tracker.restoresBest()).isFalse();
    }

    @Test
    void aReplayedHistoryKeepsItsCountsAndTheStartNetworkStandsInForItsBest() {
        Network snapshot = network(7);
        EarlyStopping.Tracker tracker = new EarlyStopping.Tracker(EarlyStopping.monitor("loss").patience(2), false,
                snapshot);
        tracker.replay(new History(List.of(epoch(1, "loss", 1.0), epoch(2, "loss", 1.1))));

        assertThat(tracker.bestEpoch()).isEqualTo(1);
        assertThat(tracker.epochsWithoutImprovement()).isEqualTo(1);
        assertThat(tracker.epochEnded(epoch(3, "loss", 1.2), network(3)))
                .isEqualTo("early stopping after epoch 3: loss did not improve on 1.0 (epoch 1) for 2 epochs; "
                        + "restored the network of epoch 1");
        assertThat(tracker.best()).isSameAs(snapshot);
    }

    @Test
    void aResumedRunThatImprovesKeepsItsOwnBestNetwork() {
        EarlyStopping.Tracker tracker = new EarlyStopping.Tracker(EarlyStopping.monitor("loss").patience(2), false,
                network(7));
        tracker.replay(new History(List.of(epoch(1, "loss", 1.0))));

        assertThat(tracker.epochEnded(epoch(2, "loss", 0.5), network(2))).isNull();

        assertThat(tracker.best()).isEqualTo(network(2));
        assertThat(tracker.bestEpoch()).isEqualTo(2);
    }

    @Test
    void forRunChecksThatTheMonitoredMeasurementIsMeasured() {
        List<Metric> metrics = List.of(Metrics.ACCURACY, Metrics.MEAN_SQUARED_ERROR);

        assertThat(EarlyStopping.Tracker.forRun(EarlyStopping.monitor("val_accuracy").patience(1), metrics, true,
                network(0)).epochEnded(epoch(1, "val_accuracy", 0.5), network(1))).isNull();
        assertThatIllegalArgumentException().isThrownBy(() -> EarlyStopping.Tracker.forRun(
                EarlyStopping.monitor("acuracy"), metrics, true, network(0)))
                .withMessage("early stopping monitors 'acuracy', which is not measured; the measurements are "
                        + "[loss, accuracy, mse] and their val_ forms");
        assertThatIllegalArgumentException().isThrownBy(() -> EarlyStopping.Tracker.forRun(
                EarlyStopping.monitor("val_loss"), metrics, false, network(0)))
                .withMessage("early stopping monitors 'val_loss', but fit was given no validation data");
    }

    @Test
    void forRunTakesTheDirectionFromTheMetric() {
        // accuracy: higher is better, so 0.4 after 0.5 is no improvement and patience 1 runs out
        EarlyStopping.Tracker accuracy = EarlyStopping.Tracker.forRun(EarlyStopping.monitor("accuracy").patience(1),
                List.of(Metrics.ACCURACY), false, network(0));
        assertThat(feed(accuracy, "accuracy", 0.5, 0.4).get(1)).startsWith("early stopping after epoch 2");

        // mse: lower is better, so 0.4 after 0.5 improves
        EarlyStopping.Tracker mse = EarlyStopping.Tracker.forRun(EarlyStopping.monitor("mse").patience(1),
                List.of(Metrics.MEAN_SQUARED_ERROR), false, network(0));
        assertThat(feed(mse, "mse", 0.5, 0.4)).containsOnlyNulls();
        assertThat(mse.bestEpoch()).isEqualTo(2);
    }
}
