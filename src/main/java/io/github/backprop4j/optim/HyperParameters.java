package io.github.backprop4j.optim;

import io.github.backprop4j.internal.Checks;

/** Checks of hyper-parameters that {@link Checks} does not cover, with the same kind of message. */
final class HyperParameters {

    private HyperParameters() {
    }

    /**
     * Returns {@code value}, or throws unless {@code 0 ≤ value < 1}: a decay rate such as {@code β1}.
     *
     * @param value the number
     * @param name the hyper-parameter's name, for the message
     * @return {@code value}
     * @throws IllegalArgumentException naming the hyper-parameter and its value
     */
    static double decayRate(double value, String name) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(name + " must be a number in [0, 1), was " + value);
        }
        return value;
    }

    /**
     * Returns {@code value}, or throws unless {@code value ≥ 1}.
     *
     * @param value the count
     * @param name the argument's name, for the message
     * @return {@code value}
     */
    static long positive(long value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, was " + value);
        }
        return value;
    }

    /**
     * Returns {@code value}, or throws unless {@code value ≥ 0}.
     *
     * @param value the count
     * @param name the argument's name, for the message
     * @return {@code value}
     */
    static long nonNegative(long value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be at least 0, was " + value);
        }
        return value;
    }
}
