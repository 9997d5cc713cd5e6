package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.Batch;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.DataSource;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Issue 13, items 9 and 10, for training: empty data sources, exploding losses, a lambda schedule. */
class TrainerHardeningTest {

    private static final DataSet XOR = DataSet.of(new double[][] {{0, 0}, {0, 1}, {1, 0}, {1, 1}},
            new double[][] {{1, 0}, {0, 1}, {0, 1}, {1, 0}});

    private static Network network() {
        return Network.builder().input(2).dense(8, Activation.TANH).dense(2, Activation.SOFTMAX).seed(5).build();
    }

    private static Network regression() {
        return Network.builder().input(2).dense(8, Activation.RELU).dense(2, Activation.IDENTITY).seed(5).build();
    }

    /** A data source of the right sizes that yields no batch. */
    private static final class Empty implements DataSource {
        @Override
        public int featureCount() {
            return 2;
        }

        @Override
        public int targetCount() {
            return 2;
        }

        @Override
        public Batches batches(int batchSize, Precision precision, SplittableRandom shuffle) {
            return new Batches() {
                @Override
                public boolean hasNext() {
                    return false;
                }

                @Override
                public Batch next() {
                    throw new NoSuchElementException();
                }

                @Override
                public void close() {
                }
            };
        }
    }

    @Test
    void aDataSourceWithoutBatchesIsRefusedInsteadOfCompletingEpochsOfLossNaN() {
        Trainer trainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.sgd(0.1)).epochs(2)
                .logging(false).build();
        assertThatThrownBy(() -> trainer.fit(network(), new Empty())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("training: the data source").hasMessageContaining("Empty")
                .hasMessageContaining("gave no batch in epoch 1");
    }

    @Test
    void aLossThatGrowsAMillionfoldIsWarnedOfOnce() {
        String log = capturingStandardError(() -> {
            // One batch an epoch, so that the first epoch's loss is that of the initial network.
            TrainingResult result = Trainer.builder().loss(Loss.MSE).optimizer(Optimizer.adam(1e6)).epochs(6)
                    .batchSize(4).seed(1).logging(false).build().fit(regression(), XOR);
            double first = result.history().epochs().get(0).value("loss");
            double last = result.history().epochs().get(result.history().size() - 1).value("loss");
            assertThat(last).as("the set-up blows up without diverging").isFinite().isGreaterThan(1e6 * first);
        });
        assertThat(log).contains("WARN").contains("more than 1000000.0 times the first epoch's");
        assertThat(log.split("more than 1000000.0 times", -1)).as("one warning").hasSize(2);
        String calm = capturingStandardError(() -> Trainer.builder().loss(Loss.MSE).optimizer(Optimizer.adam(0.01))
                .epochs(6).batchSize(4).seed(1).logging(false).build().fit(regression(), XOR));
        assertThat(calm).doesNotContain("times the first epoch's");
    }

    @Test
    void aLambdaScheduleReturningNanIsDescribedNotNamedByItsClass() {
        Trainer trainer = Trainer.builder().loss(Loss.MSE).optimizer(Optimizer.sgd(0.1)).epochs(1).logging(false)
                .learningRateSchedule((base, step, epoch) -> Double.NaN).build();
        assertThatThrownBy(() -> trainer.fit(network(), XOR)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the learning-rate schedule (a lambda").hasMessageContaining("returned NaN")
                .hasMessageNotContaining("$$Lambda");
    }

    /** Runs code with standard error captured (slf4j-simple writes there), so expected warnings stay quiet. */
    private static String capturingStandardError(Runnable code) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            code.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
