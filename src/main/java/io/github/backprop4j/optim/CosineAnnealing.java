package io.github.backprop4j.optim;

import io.github.backprop4j.internal.Checks;

/**
 * Cosine annealing of the learning rate over the optimizer steps, with an optional linear warm-up
 * (Loshchilov and Hutter (2017), "SGDR: stochastic gradient descent with warm restarts", without restarts;
 * the cosine part is torch's {@code CosineAnnealingLR(T_max = N − W, eta_min)} stepped once per step):
 *
 * <pre>
 *   η = η₀·t/W                                            for 1 ≤ t ≤ W        (warm-up)
 *   η = η_min + (η₀ − η_min)·(1 + cos(π·(t − W − 1)/(N − W)))/2   for W &lt; t ≤ N
 *   η = η_min                                             for t &gt; N
 * </pre>
 *
 * so the first step after the warm-up runs at {@code η₀}, and step {@code N + 1} reaches {@code η_min}.
 * With {@code W = 0} step 1 runs at {@code η₀}.
 *
 * @param totalSteps {@code N}, the steps of warm-up and annealing together, &ge; 1
 * @param warmupSteps {@code W}, in {@code [0, N)}
 * @param minimumRate {@code η_min}, finite and &ge; 0
 */
public record CosineAnnealing(long totalSteps, long warmupSteps, double minimumRate)
        implements LearningRateSchedule {

    /** The default minimum rate, 0, as torch's {@code eta_min}. */
    public static final double DEFAULT_MINIMUM_RATE = 0;

    /**
     * Checks the arguments.
     *
     * @param totalSteps {@code N}, the steps over which the rate anneals, at least 1
     * @param warmupSteps {@code W}, in {@code [0, N)}
     * @param minimumRate {@code η_min}, finite and &ge; 0
     * @throws IllegalArgumentException if an argument is out of range
     */
    public CosineAnnealing {
        HyperParameters.positive(totalSteps, "totalSteps");
        HyperParameters.nonNegative(warmupSteps, "warmupSteps");
        if (warmupSteps >= totalSteps) {
            throw new IllegalArgumentException("warmupSteps must be less than totalSteps " + totalSteps + ", was "
                    + warmupSteps);
        }
        Checks.nonNegativeFinite(minimumRate, "minimumRate");
    }

    /**
     * Cosine annealing to 0 over {@code N} steps, without warm-up.
     *
     * @param totalSteps {@code N ≥ 1}
     * @return the schedule
     * @throws IllegalArgumentException if totalSteps is below 1
     */
    public static CosineAnnealing over(long totalSteps) {
        return new CosineAnnealing(totalSteps, 0, DEFAULT_MINIMUM_RATE);
    }

    /**
     * Returns a copy whose first {@code W} steps rise linearly, {@code η = η₀·t/W}.
     *
     * @param steps {@code W}, in {@code [0, N)}
     * @return a new schedule
     * @throws IllegalArgumentException if steps is negative or not below totalSteps
     */
    public CosineAnnealing withWarmup(long steps) {
        return new CosineAnnealing(totalSteps, steps, minimumRate);
    }

    /**
     * Returns a copy that anneals to {@code η_min} instead of 0.
     *
     * @param rate {@code η_min}, finite and &ge; 0
     * @return a new schedule
     * @throws IllegalArgumentException if the rate is negative or not finite
     */
    public CosineAnnealing withMinimumRate(double rate) {
        return new CosineAnnealing(totalSteps, warmupSteps, rate);
    }

    @Override
    public double learningRate(double baseRate, long step, int epoch) {
        Schedules.checkArguments(baseRate, step, epoch);
        if (step <= warmupSteps) {
            return baseRate * step / warmupSteps; //                          η = η₀·t/W
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps - 1) / (totalSteps - warmupSteps));
        return minimumRate + (baseRate - minimumRate) * (1 + Math.cos(Math.PI * progress)) / 2; // cosine
    }
}
