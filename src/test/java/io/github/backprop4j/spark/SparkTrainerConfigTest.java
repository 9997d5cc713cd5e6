package io.github.backprop4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import io.github.backprop4j.Loss;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.train.EarlyStopping;
import io.github.backprop4j.train.Metrics;
import io.github.backprop4j.train.Trainer;
import org.junit.jupiter.api.Test;

/** A SparkTrainer takes its configuration from a Trainer and refuses what Spark training cannot do. */
class SparkTrainerConfigTest {

    private static Trainer.Builder base() {
        return Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.sgd(0.1)).logging(false);
    }

    @Test
    void unsupportedTrainerOptionsAreRefusedByName() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SparkTrainer.builder(base().dropout(1, 0.5).metrics(Metrics.ACCURACY)
                        .earlyStopping(EarlyStopping.monitor("loss")).shuffle(false).build()))
                .withMessageContaining("dropout").withMessageContaining("metrics [accuracy]")
                .withMessageContaining("EarlyStopping[loss").withMessageContaining("shuffle(false)");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SparkTrainer.builder(base().validationFraction(0.2).throwOnDivergence(false).build()))
                .withMessageContaining("validationFraction 0.2").withMessageContaining("throwOnDivergence(false)");
    }

    @Test
    void byDefaultAStageRunsTheWholeEpochsThatMakeAtLeast128Steps() {
        assertThat(SparkTrainer.AUTOMATIC_STEPS_PER_STAGE).isEqualTo(128);
        assertThat(SparkTrainer.automaticEpochsPerStage(32, 10)).isEqualTo(4);   // the bundled digits at batch 256
        assertThat(SparkTrainer.automaticEpochsPerStage(33, 10)).isEqualTo(4);   // 132 steps
        assertThat(SparkTrainer.automaticEpochsPerStage(31, 10)).isEqualTo(5);   // 4 would make 124
        assertThat(SparkTrainer.automaticEpochsPerStage(1, 50)).isEqualTo(50);   // capped at the run
        assertThat(SparkTrainer.automaticEpochsPerStage(1, 500)).isEqualTo(128);
        assertThat(SparkTrainer.automaticEpochsPerStage(128, 3)).isEqualTo(1);
        assertThat(SparkTrainer.automaticEpochsPerStage(1000, 3)).isEqualTo(1);
    }

    @Test
    void epochsPerStageIsPositiveAndExcludesStepsPerStageAndAveraging() {
        Trainer trainer = base().epochs(4).build();
        assertThatIllegalArgumentException().isThrownBy(() -> SparkTrainer.builder(trainer).epochsPerStage(0))
                .withMessageContaining("epochs").withMessageContaining("0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SparkTrainer.builder(trainer).epochsPerStage(2).stepsPerStage(3).build())
                .withMessageContaining("epochsPerStage(2)").withMessageContaining("stepsPerStage(3)");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SparkTrainer.builder(trainer).epochsPerStage(2).parameterAveraging(4).build())
                .withMessageContaining("epochsPerStage(2)").withMessageContaining("parameter averaging");
        SparkTrainer.builder(trainer).epochsPerStage(1).stepsPerStage(3).build();
        SparkTrainer.builder(trainer).epochsPerStage(9).build();
    }

    @Test
    void aPlainTrainerIsAccepted() {
        SparkTrainer.builder(base().epochs(2).batchSize(16).seed(3).build()).parameterAveraging(4).build();
        assertThatNullPointerException().isThrownBy(() -> SparkTrainer.builder(null)).withMessage("trainer must not be null");
    }
}
