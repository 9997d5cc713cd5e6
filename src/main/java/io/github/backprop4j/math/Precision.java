package io.github.backprop4j.math;

/**
 * The element type of a network's parameters and of every computation done with it.
 *
 * <p>Chosen once, when a network is built; {@link io.github.backprop4j.Network#toPrecision(Precision)}
 * makes a converted copy. Inputs and targets given as {@code double[]} or {@code float[]} are converted
 * to the network's precision on the way in.
 */
public enum Precision {
    /** IEEE 754 double precision: 64-bit parameters and arithmetic, the reference for exactness. */
    FLOAT64(Double.BYTES),
    /** IEEE 754 single precision: 32-bit parameters and arithmetic, half the memory. */
    FLOAT32(Float.BYTES);

    private final int bytes;

    Precision(int bytes) {
        this.bytes = bytes;
    }

    /**
     * Returns the size of one element in bytes.
     *
     * @return 8 for {@link #FLOAT64}, 4 for {@link #FLOAT32}
     */
    public int bytesPerElement() {
        return bytes;
    }
}
