package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.DataSource;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link ProgressListener} in both modes, with a fake clock (every reading of it is a fixed time later than the
 * one before), so nothing here depends on how fast the machine is: what it draws, how often, and what it leaves.
 */
class ProgressListenerTest {

    /** 100 samples of 3 blobs in 2-D; with batch 10, ten batches per epoch. */
    private static final DataSet BLOBS = blobs(100, 5);

    private static final Pattern EPOCH_LINE = Pattern.compile(
            "epoch \\d+/\\d+: loss \\d+\\.\\d{4} \\(100 samples, \\d+\\.\\d{2} s, \\d+ samples/s\\)");

    private static DataSet blobs(int n, long seed) {
        double[][] centres = {{-2, 0}, {2, 0}, {0, 2.5}};
        SplittableRandom random = new SplittableRandom(seed);
        double[][] x = new double[n][2];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            x[i][0] = centres[labels[i]][0] + random.nextGaussian();
            x[i][1] = centres[labels[i]][1] + random.nextGaussian();
        }
        return DataSet.ofLabels(x, labels, 3);
    }

    private static Network classifier() {
        return Network.builder().input(2).dense(8, Activation.TANH).dense(3, Activation.SOFTMAX).seed(4).build();
    }

    private static Trainer trainer(int epochs, TrainingListener... listeners) {
        return Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.sgd(0.1)).epochs(epochs).batchSize(10)
                .logging(false).seed(3).listeners(listeners).build();
    }

    /** A clock that moves {@code stepNanos} forward at each reading, counting its readings. */
    private static final class FakeClock implements LongSupplier {
        private final long stepNanos;
        private long now = 1_000_000_000L;
        int readings;

        FakeClock(long stepNanos) {
            this.stepNanos = stepNanos;
        }

        @Override
        public long getAsLong() {
            readings++;
            now += stepNanos;
            return now;
        }
    }

    private static ProgressListener listener(StringBuilder out, boolean terminal, LongSupplier clock) {
        return new ProgressListener(() -> out, () -> terminal, clock);
    }

    @Test
    void withoutATerminalEachEpochWritesOneLineAndNothingWithin() {
        StringBuilder out = new StringBuilder();
        FakeClock clock = new FakeClock(40_000_000L);

        TrainingResult result = trainer(3, listener(out, false, clock)).fit(classifier(), BLOBS);

        assertThat(out.toString()).doesNotContain("\r");
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(3);
        for (int e = 0; e < 3; e++) {
            assertThat(lines.get(e)).startsWith("epoch " + (e + 1) + "/3: ").matches(EPOCH_LINE);
            assertThat(lines.get(e)).isEqualTo(result.history().epochs().get(e).format(3));
        }
        assertThat(clock.readings).as("no clock reading per batch without a terminal").isLessThanOrEqualTo(4);
    }

    @Test
    void onATerminalTheBarIsRedrawnInPlaceAtMostTenTimesASecondAndEachEpochLeavesItsLine() {
        StringBuilder out = new StringBuilder();
        FakeClock clock = new FakeClock(40_000_000L); // 40 ms per reading: a redraw every third batch or so

        TrainingResult result = trainer(3, listener(out, true, clock)).fit(classifier(), BLOBS);

        String text = out.toString();
        long redraws = bars(text).size();
        long fakeNanos = clock.readings * 40_000_000L;
        assertThat(redraws).as("redraws in %d fake ms", fakeNanos / 1_000_000).isPositive()
                .isLessThanOrEqualTo(fakeNanos / ProgressListener.REDRAW_INTERVAL_NANOS + 1);
        String[] lines = text.split("\n", -1);
        assertThat(lines).hasSize(4); // 3 lines and the empty rest after the last newline
        assertThat(lines[3]).isEmpty();
        Pattern bar = Pattern.compile("epoch \\d/3 \\[=*>? *\\] +\\d+/10(  \\d+ samples/s  loss \\d\\.\\d{4}  0:\\d\\d "
                + "left)? *");
        for (int e = 0; e < 3; e++) {
            String[] drawn = lines[e].split("\r");
            String last = drawn[drawn.length - 1].stripTrailing();
            assertThat(last).isEqualTo(result.history().epochs().get(e).format(3));
            for (int i = 1; i < drawn.length - 1; i++) { // drawn[0] is empty: every line starts with \r
                assertThat(drawn[i]).as("bar %d of epoch %d", i, e + 1).matches(bar);
                assertThat(drawn[i]).as("each bar of the line is as wide as the one before, or wider")
                        .hasSizeGreaterThanOrEqualTo(drawn[i - 1].length());
            }
        }
        assertThat(lines[0]).contains("/10").contains(" left");
    }

    @Test
    void aFastClockRedrawsRarely() {
        StringBuilder out = new StringBuilder();
        FakeClock clock = new FakeClock(1_000_000L); // 1 ms per reading: 30 batches in well under 100 ms

        trainer(3, listener(out, true, clock)).fit(classifier(), BLOBS);

        long redraws = bars(out.toString()).size();
        assertThat(redraws).as("one at the very start (the interval has passed before the run), none after")
                .isEqualTo(1);
        assertThat(out.toString().split("\n")).hasSize(3);
    }

    @Test
    void theBarLineShowsTheBarTheCountsTheRateTheRunningLossAndTheTimeLeft() {
        TrainingRun run = run(1000); // 100 batches
        run.startEpoch(3);

        String line = ProgressListener.barLine(run, 45, 0.23144, 450, 2_000_000_000L);

        assertThat(line).isEqualTo("epoch 3/10 [=========>          ]   45/100  225 samples/s  loss 0.2314  0:02 left");
        assertThat(ProgressListener.barLine(run, 0, Double.NaN, 0, 0))
                .isEqualTo("epoch 3/10 [                    ]    0/100");
        assertThat(ProgressListener.barLine(run, 100, 0.1, 1000, 4_000_000_000L))
                .isEqualTo("epoch 3/10 [====================]  100/100  250 samples/s  loss 0.1000  0:00 left");
        assertThat(ProgressListener.duration(3 * 3600 + 62)).isEqualTo("3:01:02");
        assertThat(ProgressListener.duration(59)).isEqualTo("0:59");
    }

    @Test
    void withoutAKnownSizeTheBarCountsBatchesWithoutATimeLeft() {
        StringBuilder out = new StringBuilder();
        FakeClock clock = new FakeClock(60_000_000L);
        DataSource unsized = new DataSource() {
            @Override
            public int featureCount() {
                return 2;
            }

            @Override
            public int targetCount() {
                return 3;
            }

            @Override
            public Batches batches(int batchSize, Precision precision, SplittableRandom shuffle) {
                return BLOBS.batches(batchSize, precision, shuffle);
            }
        };

        trainer(2, listener(out, true, clock)).fit(classifier(), unsized);

        List<String> bars = Arrays.stream(out.toString().split("[\r\n]")).map(String::strip)
                .filter(s -> !s.isEmpty() && !s.contains(":")).toList();
        assertThat(bars).isNotEmpty().allSatisfy(b -> assertThat(b)
                .matches("epoch \\d/2  \\d+ batch(es)?(  \\d+ samples/s  loss \\d\\.\\d{4})?"));
        assertThat(out.toString()).doesNotContain("left").doesNotContain("[");
    }

    @Test
    void theRunningLossWeighsTheShortLastBatchByItsSamples() {
        TrainingRun run = run(25); // batches of 10, 10 and 5 samples
        StringBuilder out = new StringBuilder();
        ProgressListener listener = listener(out, true, new FakeClock(200_000_000L)); // every batch redraws
        listener.onTrainingStart(run);
        run.startEpoch(1);
        listener.onEpochStart(run, 1);
        listener.onBatchEnd(run, 1, 1, 1.0);
        listener.onBatchEnd(run, 1, 2, 1.0);
        listener.onBatchEnd(run, 1, 3, 4.0);

        String[] bars = out.toString().split("\r");
        // (10·1 + 10·1 + 5·4) / 25 = 1.6; the plain mean of the batch losses would be 2
        assertThat(bars[bars.length - 1]).startsWith("epoch 1/10 [====================]  3/3  42 samples/s  "
                + "loss 1.6000");
        assertThat(bars[bars.length - 2]).contains(" 2/3 ").contains("loss 1.0000");
    }

    @Test
    void aRunThatEndsEarlySaysWhyOnALineOfItsOwn() {
        StringBuilder out = new StringBuilder();
        TrainingListener stopper = new TrainingListener() {
            @Override
            public void onBatchEnd(TrainingRun run, int epoch, int batch, double loss) {
                if (epoch == 2 && batch == 4) {
                    run.requestStop("enough");
                }
            }
        };

        trainer(5, listener(out, true, new FakeClock(150_000_000L)), stopper).fit(classifier(), BLOBS);

        String[] lines = out.toString().split("\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[1]).as("the interrupted epoch's bar stays").contains("epoch 2/5 [").contains(" 4/10");
        assertThat(lines[2]).startsWith("training ended: stopped by request: enough");
    }

    @Test
    void theTrainersProgressCallAddsAListenerOnStandardOutput() {
        Trainer trainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.sgd(0.1)).logging(false)
                .progress().build();

        assertThat(trainer.listeners()).singleElement().isInstanceOf(ProgressListener.class);
    }

    @Test
    void noConsoleIsNoTerminal() {
        assertThat(ProgressListener.isTerminal(null)).isFalse();
    }

    @Test
    void theRunKnowsTheEpochsSizeOnlyWhenTheDataDeclareIt() {
        TrainingRun run = run(95);
        assertThat(run.batchSize()).isEqualTo(10);
        assertThat(run.samplesPerEpoch()).hasValue(95);
        assertThat(run.batchesPerEpoch()).hasValue(10);
        assertThat(run.samplesIn(10)).isEqualTo(95);
        assertThat(run.samplesIn(3)).isEqualTo(30);

        io.github.backprop4j.train.internal.RunDriver driver = io.github.backprop4j.train.internal.Runs.drive(classifier(), 2, 1, new io.github.backprop4j.optim
                .OptimizerState(), Loss.CROSS_ENTROPY, Optimizer.sgd(0.1), List.of());
        assertThat(driver.run().batchesPerEpoch()).isEmpty();
        driver.declareEpochSize(OptionalLong.empty(), 8);
        assertThat(driver.run().batchesPerEpoch()).isEmpty();
        assertThat(driver.run().batchSize()).isEqualTo(8);
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> driver.declareEpochSize(OptionalLong.of(0), 8)).withMessageContaining("samples")
                .withMessageContaining("0");
        assertThat(BLOBS.sampleCount()).hasValue(100);
    }

    /** The bars drawn: the pieces between carriage returns and newlines that are not an epoch's line. */
    private static List<String> bars(String text) {
        return Arrays.stream(text.split("[\r\n]")).filter(p -> p.matches("epoch \\d+/\\d+ .*")).toList();
    }

    /** A run of 10 epochs over {@code samples} samples in batches of 10. */
    private static TrainingRun run(long samples) {
        TrainingRun run = new TrainingRun(classifier(), 10, 1, RunOptimizerState.fresh(), Loss.CROSS_ENTROPY,
                Optimizer.sgd(0.1), new History(List.of()));
        run.epochSize(samples, 10);
        return run;
    }
}
