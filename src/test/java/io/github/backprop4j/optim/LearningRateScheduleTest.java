package io.github.backprop4j.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The documented values of the built-in schedules, including the edges of warm-up and annealing. */
class LearningRateScheduleTest {

    private static final double TOL = 1e-15;

    @Test
    void constantReturnsTheBaseRate() {
        assertThat(LearningRateSchedule.constant().learningRate(0.1, 1000, 7)).isEqualTo(0.1);
    }

    @Test
    void stepDecayMultipliesByGammaEveryNEpochs() {
        LearningRateSchedule s = LearningRateSchedule.stepDecay(10, 0.5);
        assertThat(s.learningRate(0.1, 1, 1)).isEqualTo(0.1);
        assertThat(s.learningRate(0.1, 5, 10)).isEqualTo(0.1);
        assertThat(s.learningRate(0.1, 5, 11)).isCloseTo(0.05, within(TOL));
        assertThat(s.learningRate(0.1, 5, 21)).isCloseTo(0.025, within(TOL));
        assertThat(s).isEqualTo(LearningRateSchedule.stepDecay(10, 0.5)).hasToString("StepDecay[everyEpochs=10, gamma=0.5]");
    }

    @Test
    void exponentialMultipliesByGammaEveryEpoch() {
        LearningRateSchedule s = LearningRateSchedule.exponential(0.9);
        assertThat(s.learningRate(1, 1, 1)).isEqualTo(1);
        assertThat(s.learningRate(1, 1, 2)).isCloseTo(0.9, within(TOL));
        assertThat(s.learningRate(1, 1, 4)).isCloseTo(0.729, within(TOL));
    }

    @Test
    void cosineStartsAtTheBaseRateAndReachesTheMinimumAfterNSteps() {
        CosineAnnealing s = LearningRateSchedule.cosine(100).withMinimumRate(0.01);
        assertThat(s.learningRate(1, 1, 1)).isEqualTo(1);
        assertThat(s.learningRate(1, 51, 1)).isCloseTo(0.505, within(TOL)); // halfway: (η₀ + η_min)/2
        assertThat(s.learningRate(1, 101, 1)).isCloseTo(0.01, within(TOL));
        assertThat(s.learningRate(1, 5000, 9)).isCloseTo(0.01, within(TOL));
        assertThat(s.learningRate(1, 100, 1)).isGreaterThan(0.01).isLessThan(0.011);
    }

    @Test
    void warmUpRisesLinearlyThenCosineBeginsAtTheBaseRate() {
        CosineAnnealing s = LearningRateSchedule.cosine(110).withWarmup(10);
        assertThat(s.learningRate(0.5, 1, 1)).isCloseTo(0.05, within(TOL));
        assertThat(s.learningRate(0.5, 5, 1)).isCloseTo(0.25, within(TOL));
        assertThat(s.learningRate(0.5, 10, 1)).isCloseTo(0.5, within(TOL)); // last warm-up step
        assertThat(s.learningRate(0.5, 11, 1)).isCloseTo(0.5, within(TOL)); // first cosine step
        assertThat(s.learningRate(0.5, 61, 1)).isCloseTo(0.25, within(TOL)); // halfway through 100 cosine steps
        assertThat(s.learningRate(0.5, 111, 1)).isCloseTo(0, within(TOL));
        assertThat(s).isEqualTo(new CosineAnnealing(110, 10, 0));
    }

    @Test
    void userFunctionsOfStepOrEpochScaleTheBaseRate() {
        LearningRateSchedule bySteps = LearningRateSchedule.ofStep(t -> 1.0 / Math.sqrt(t));
        assertThat(bySteps.learningRate(0.2, 4, 1)).isCloseTo(0.1, within(TOL));
        LearningRateSchedule byEpoch = LearningRateSchedule.ofEpoch(e -> e <= 2 ? 1 : 0.1);
        assertThat(byEpoch.learningRate(0.2, 999, 2)).isEqualTo(0.2);
        assertThat(byEpoch.learningRate(0.2, 1, 3)).isCloseTo(0.02, within(TOL));
        LearningRateSchedule lambda = (base, t, epoch) -> base / t;
        assertThat(lambda.learningRate(1, 4, 1)).isEqualTo(0.25);
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> LearningRateSchedule.stepDecay(0, 0.5)).hasMessageContaining("everyEpochs")
                .hasMessageContaining("0");
        assertThatThrownBy(() -> LearningRateSchedule.exponential(-1)).hasMessageContaining("gamma")
                .hasMessageContaining("-1.0");
        assertThatThrownBy(() -> LearningRateSchedule.cosine(0)).hasMessageContaining("totalSteps");
        assertThatThrownBy(() -> LearningRateSchedule.cosine(10).withWarmup(10)).hasMessageContaining("warmupSteps")
                .hasMessageContaining("10");
        assertThatThrownBy(() -> LearningRateSchedule.cosine(10).withMinimumRate(-0.1))
                .hasMessageContaining("minimumRate");
        assertThatThrownBy(() -> LearningRateSchedule.constant().learningRate(0.1, 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("step");
        assertThatThrownBy(() -> LearningRateSchedule.exponential(0.9).learningRate(0.1, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("epoch");
    }
}
