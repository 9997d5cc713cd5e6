package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Layer;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.optim.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * How a run ends, through the public {@link Trainer}: the exact stop reasons, divergence as a listener event,
 * early stopping resumed from a snapshot, a stop asked for before the first batch.
 */
class TrainingLoopTest {

    /** 60 samples of a noisy linear function of 3 inputs. */
    private static final DataSet LINEAR = linear(60, 9);

    private static DataSet linear(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] x = new double[n][3];
        double[][] y = new double[n][1];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) {
                x[i][j] = random.nextDouble(-1, 1);
            }
            y[i][0] = 0.5 * x[i][0] - 2 * x[i][1] + x[i][2] + 0.05 * random.nextGaussian();
        }
        return DataSet.of(x, y);
    }

    private static Network regressor() {
        return Network.builder().input(3).dense(6, Activation.TANH).dense(1, Activation.IDENTITY).seed(5).build();
    }

    private static Trainer.Builder regression() {
        return Trainer.builder().loss(Loss.MSE).optimizer(Optimizer.sgd(0.05)).batchSize(10).logging(false)
                .seed(3);
    }

    /** Records every callback as a line, and the network at each epoch's end. */
    private static final class Recorder implements TrainingListener {
        final List<String> calls = new ArrayList<>();
        final List<Network> epochNetworks = new ArrayList<>();
        final List<TrainingSnapshot> snapshots = new ArrayList<>();
        TrainingDivergedException divergence;

        @Override
        public void onTrainingStart(TrainingRun run) {
            calls.add("start");
        }

        @Override
        public void onEpochStart(TrainingRun run, int epoch) {
            calls.add("epochStart " + epoch);
        }

        @Override
        public void onBatchEnd(TrainingRun run, int epoch, int batch, double loss) {
            calls.add("batchEnd " + epoch + "." + batch);
        }

        @Override
        public void onEpochEnd(TrainingRun run, EpochSummary summary) {
            calls.add("epochEnd " + summary.epoch());
            epochNetworks.add(run.network());
            snapshots.add(run.snapshot().orElseThrow());
        }

        @Override
        public void onDivergence(TrainingRun run, TrainingDivergedException e) {
            calls.add("diverged " + e.epoch() + "." + e.batch());
            divergence = e;
        }

        @Override
        public void onTrainingEnd(TrainingRun run, TrainingResult result) {
            calls.add("end");
        }
    }

    @Test
    void divergenceAsAListenerEventReturnsTheLastFiniteNetworkWhereThrowingWouldHaveStopped() {
        Trainer throwing = regression().optimizer(Optimizer.sgd(1e6)).epochs(50).build();
        TrainingDivergedException thrown = null;
        try {
            throwing.fit(regressor(), LINEAR);
        } catch (TrainingDivergedException e) {
            thrown = e;
        }
        assertThat(thrown).as("the set-up diverges").isNotNull();

        Recorder recorder = new Recorder();
        TrainingResult result = regression().optimizer(Optimizer.sgd(1e6)).epochs(50).throwOnDivergence(false)
                .listeners(recorder).build().fit(regressor(), LINEAR);

        TrainingDivergedException event = recorder.divergence;
        assertThat(event).isNotNull();
        assertThat(event.epoch()).isEqualTo(thrown.epoch());
        assertThat(event.batch()).isEqualTo(thrown.batch());
        assertThat(event.lastFiniteNetwork()).isEqualTo(thrown.lastFiniteNetwork());
        assertThat(result.network()).isSameAs(event.lastFiniteNetwork());
        assertThat(result.stopReason()).isEqualTo("diverged: " + event.getMessage());
        assertThat(result.history().size()).isEqualTo(event.epoch() - 1);
        assertThat(recorder.calls.subList(recorder.calls.size() - 2, recorder.calls.size()))
                .containsExactly("diverged " + event.epoch() + "." + event.batch(), "end");
        assertThat(recorder.calls).doesNotContain("epochEnd " + event.epoch());
        for (Layer layer : result.network().layers()) {
            layer.parameters().forEach(p -> assertThat(p.value().firstNonFinite()).as(p.name()).isNull());
        }
    }

    @Test
    void earlyStoppingNamesTheBestValueItsEpochAndThePatience() {
        TrainingResult result = regression().epochs(20)
                .earlyStopping(EarlyStopping.monitor("loss").patience(2).minDelta(1e9)).build()
                .fit(regressor(), LINEAR);

        double best = result.history().epochs().get(0).value("loss");
        assertThat(result.stopReason()).isEqualTo("early stopping after epoch 3: loss did not improve on " + best
                + " (epoch 1) for 2 epochs; restored the network of epoch 1");
    }

    @Test
    void resumedEarlyStoppingReplaysItsCountsAndTheSnapshotStandsInForAnEarlierBest() {
        Recorder recorder = new Recorder();
        Trainer trainer = regression().epochs(20)
                .earlyStopping(EarlyStopping.monitor("loss").patience(2).minDelta(1e9)).listeners(recorder).build();
        TrainingResult whole = trainer.fit(regressor(), LINEAR);
        TrainingSnapshot afterEpoch2 = recorder.snapshots.get(1);

        TrainingResult resumed = trainer.resume(afterEpoch2, LINEAR, null);

        assertThat(resumed.history().size()).isEqualTo(whole.history().size()).isEqualTo(3);
        for (int e = 0; e < 3; e++) {
            assertThat(resumed.history().epochs().get(e).values()).isEqualTo(whole.history().epochs().get(e)
                    .values());
        }
        assertThat(resumed.stopReason()).isEqualTo(whole.stopReason());
        assertThat(whole.network()).isEqualTo(recorder.epochNetworks.get(0));
        assertThat(resumed.network()).as("the best epoch came before the snapshot")
                .isEqualTo(afterEpoch2.network()).isNotEqualTo(whole.network());
    }

    @Test
    void resumingWithoutEarlyStoppingRunsTheRemainingEpochsBitForBit() {
        Recorder recorder = new Recorder();
        Trainer trainer = regression().optimizer(Optimizer.adam(0.01)).epochs(4).listeners(recorder).build();
        TrainingResult whole = trainer.fit(regressor(), LINEAR);

        TrainingResult resumed = trainer.resume(recorder.snapshots.get(1), LINEAR, null);

        assertThat(resumed.network()).isEqualTo(whole.network());
        assertThat(resumed.stopReason()).isEqualTo("completed 4 epochs");
        assertThat(resumed.history().size()).isEqualTo(4);
        assertThat(recorder.snapshots.get(1).optimizerState().stepCount()).as("resume copies the state").isEqualTo(12);
    }

    @Test
    void aStopAskedForBeforeTheFirstBatchReturnsTheStartingNetwork() {
        Recorder recorder = new Recorder();
        TrainingListener stopper = new TrainingListener() {
            @Override
            public void onTrainingStart(TrainingRun run) {
                run.requestStop("not today");
            }
        };
        Network start = regressor();
        TrainingResult result = regression().epochs(3).listeners(stopper, recorder).build().fit(start, LINEAR);

        assertThat(result.stopReason())
                .isEqualTo("stopped by request: not today during epoch 1; returning the network of step 0");
        assertThat(result.network()).isEqualTo(start);
        assertThat(result.history().size()).isZero();
        assertThat(recorder.calls).containsExactly("start", "epochStart 1", "end");
    }

    @Test
    void aScheduleThatTurnsNegativeMidRunNamesTheStepAndEpoch() {
        Trainer trainer = regression().epochs(3)
                .learningRateSchedule((base, step, epoch) -> epoch < 2 ? base : -base).build();

        assertThatThrownBy(() -> trainer.fit(regressor(), LINEAR)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("returned -0.05 for step 7 of epoch 2");
    }
}
