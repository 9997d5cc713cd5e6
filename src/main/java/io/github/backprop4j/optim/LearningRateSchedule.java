package io.github.backprop4j.optim;

import io.github.backprop4j.internal.Checks;
import java.util.function.IntToDoubleFunction;
import java.util.function.LongToDoubleFunction;

/**
 * How the learning rate changes during a training run. A training loop asks for the rate of every step,
 * {@code η = schedule.learningRate(optimizer.learningRate(), t, epoch)}, and passes it to
 * {@code Backpropagator.apply(network, gradients, optimizer, state, η)}.
 *
 * <p>Built-in schedules (immutable, compared by value; {@code η₀} is the base rate):
 * <pre>
 *   constant()                          η = η₀
 *   stepDecay(N, γ)                     η = η₀·γ^⌊(epoch − 1)/N⌋       torch StepLR(step_size=N, gamma=γ)
 *   exponential(γ)                      η = η₀·γ^(epoch − 1)           torch ExponentialLR(gamma=γ)
 *   cosine(N)                           η = η_min + (η₀ − η_min)·(1 + cos(π·(t − 1)/N))/2, η_min after
 *                                       step N    torch CosineAnnealingLR(T_max=N), stepped every step
 *   cosine(N).withWarmup(W)             η = η₀·t/W for t ≤ W, then cosine over the steps W+1..N
 *   cosine(N).withMinimumRate(η_min)    the rate it anneals to (default 0)
 *   ofStep(f), ofEpoch(f)               η = η₀·f(t), η = η₀·f(epoch)    torch LambdaLR
 * </pre>
 * Any other rule is a lambda: {@code (base, t, epoch) -> base / Math.sqrt(t)}.
 */
@FunctionalInterface
public interface LearningRateSchedule {

    /**
     * Returns the learning rate of one optimizer step.
     *
     * @param baseRate {@code η₀}, the optimizer's own learning rate
     * @param step {@code t ≥ 1}, the number of this optimizer step counted over the whole run
     * @param epoch the number of the current epoch, &ge; 1
     * @return {@code η} for this step, finite and &ge; 0
     */
    double learningRate(double baseRate, long step, int epoch);

    /**
     * The constant schedule, {@code η = η₀}.
     *
     * @return the schedule
     */
    static LearningRateSchedule constant() {
        return Schedules.Constant.INSTANCE;
    }

    /**
     * Step decay: the rate is multiplied by {@code γ} every {@code N} epochs,
     * {@code η = η₀·γ^⌊(epoch − 1)/N⌋}.
     *
     * @param everyEpochs {@code N ≥ 1}
     * @param gamma {@code γ}, finite and &gt; 0
     * @return the schedule
     * @throws IllegalArgumentException if an argument is out of range
     */
    static LearningRateSchedule stepDecay(int everyEpochs, double gamma) {
        return new Schedules.StepDecay(everyEpochs, gamma);
    }

    /**
     * Exponential decay per epoch, {@code η = η₀·γ^(epoch − 1)}.
     *
     * @param gamma {@code γ}, finite and &gt; 0
     * @return the schedule
     * @throws IllegalArgumentException if gamma is not finite and positive
     */
    static LearningRateSchedule exponential(double gamma) {
        return new Schedules.Exponential(gamma);
    }

    /**
     * Cosine annealing from {@code η₀} to 0 over {@code N} steps, without warm-up; refine it with
     * {@link CosineAnnealing#withWarmup(long)} and {@link CosineAnnealing#withMinimumRate(double)}.
     *
     * @param totalSteps {@code N ≥ 1}, the steps of warm-up and annealing together
     * @return the schedule
     * @throws IllegalArgumentException if totalSteps is below 1
     */
    static CosineAnnealing cosine(long totalSteps) {
        return CosineAnnealing.over(totalSteps);
    }

    /**
     * A schedule of the step number, {@code η = η₀·f(t)}.
     *
     * @param factor {@code f}, the factor of the base rate at step {@code t ≥ 1}
     * @return the schedule
     * @throws NullPointerException if {@code factor} is {@code null}
     */
    static LearningRateSchedule ofStep(LongToDoubleFunction factor) {
        Checks.notNull(factor, "factor");
        return (base, step, epoch) -> base * factor.applyAsDouble(step);
    }

    /**
     * A schedule of the epoch number, {@code η = η₀·f(epoch)}.
     *
     * @param factor {@code f}, the factor of the base rate in epoch {@code e ≥ 1}
     * @return the schedule
     * @throws NullPointerException if {@code factor} is {@code null}
     */
    static LearningRateSchedule ofEpoch(IntToDoubleFunction factor) {
        Checks.notNull(factor, "factor");
        return (base, step, epoch) -> base * factor.applyAsDouble(epoch);
    }
}
