package io.github.backprop4j.optim;

import io.github.backprop4j.internal.Checks;

/** The built-in {@link LearningRateSchedule}s, as records so that they compare and print by value. */
final class Schedules {

    private Schedules() {
    }

    /** Checks the arguments every built-in schedule receives. */
    static void checkArguments(double baseRate, long step, int epoch) {
        Checks.nonNegativeFinite(baseRate, "baseRate");
        HyperParameters.positive(step, "step");
        Checks.positive(epoch, "epoch");
    }

    /** {@code η = η₀}. */
    enum Constant implements LearningRateSchedule {
        INSTANCE;

        @Override
        public double learningRate(double baseRate, long step, int epoch) {
            checkArguments(baseRate, step, epoch);
            return baseRate;
        }

        @Override
        public String toString() {
            return "Constant";
        }
    }

    /** {@code η = η₀·γ^⌊(epoch − 1)/N⌋}. */
    record StepDecay(int everyEpochs, double gamma) implements LearningRateSchedule {
        StepDecay {
            Checks.positive(everyEpochs, "everyEpochs");
            Checks.positiveFinite(gamma, "gamma");
        }

        @Override
        public double learningRate(double baseRate, long step, int epoch) {
            checkArguments(baseRate, step, epoch);
            return baseRate * Math.pow(gamma, (epoch - 1) / everyEpochs);
        }
    }

    /** {@code η = η₀·γ^(epoch − 1)}. */
    record Exponential(double gamma) implements LearningRateSchedule {
        Exponential {
            Checks.positiveFinite(gamma, "gamma");
        }

        @Override
        public double learningRate(double baseRate, long step, int epoch) {
            checkArguments(baseRate, step, epoch);
            return baseRate * Math.pow(gamma, epoch - 1);
        }
    }
}
