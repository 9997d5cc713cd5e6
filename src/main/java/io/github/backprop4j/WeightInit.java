package io.github.backprop4j;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import java.util.random.RandomGenerator;

/**
 * How a layer's initial weights are drawn, from the layer's fan-in (inputs) and fan-out (outputs). Biases
 * start at zero.
 *
 * <p>The uniform forms draw from {@code U(−limit, limit)}, the normal forms from {@code N(0, std²)}
 * (not truncated, as in PyTorch's {@code nn.init}).
 */
public enum WeightInit {
    /** Glorot (Xavier) uniform: {@code limit = √(6 / (fanIn + fanOut))}. The default for most activations. */
    GLOROT_UNIFORM(true, 6, true),
    /** Glorot (Xavier) normal: {@code std = √(2 / (fanIn + fanOut))}. */
    GLOROT_NORMAL(false, 2, true),
    /** He (Kaiming) uniform: {@code limit = √(6 / fanIn)}. The default for the ReLU family. */
    HE_UNIFORM(true, 6, false),
    /** He (Kaiming) normal: {@code std = √(2 / fanIn)}. */
    HE_NORMAL(false, 2, false),
    /** LeCun uniform: {@code limit = √(3 / fanIn)}. */
    LECUN_UNIFORM(true, 3, false),
    /** LeCun normal: {@code std = √(1 / fanIn)}. */
    LECUN_NORMAL(false, 1, false);

    private final boolean uniform;
    private final double numerator;
    private final boolean averagesFans;

    WeightInit(boolean uniform, double numerator, boolean averagesFans) {
        this.uniform = uniform;
        this.numerator = numerator;
        this.averagesFans = averagesFans;
    }

    /**
     * Fills {@code weights} row by row with fresh draws from {@code random}.
     *
     * @param weights {@code [out × in]}, writable; fan-in is its column count and fan-out its row count
     * @param random the source of randomness; the same source state gives the same weights
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if {@code weights} is a read-only view
     */
    public void initialize(Matrix weights, RandomGenerator random) {
        Checks.notNull(weights, "weights");
        Checks.notNull(random, "random");
        if (weights.isReadOnly()) {
            throw new IllegalArgumentException("weights is a read-only view and cannot be initialised; pass a "
                    + "writable matrix, e.g. Matrix.zeros(precision, out, in)");
        }
        int fanIn = weights.cols();
        int fanOut = weights.rows();
        double scale = Math.sqrt(numerator / (averagesFans ? fanIn + fanOut : fanIn));
        for (int j = 0; j < fanOut; j++) {
            for (int k = 0; k < fanIn; k++) {
                double draw = uniform ? random.nextDouble(-scale, scale) : scale * random.nextGaussian();
                weights.set(j, k, draw);
            }
        }
    }
}
