package io.github.backprop4j.internal;

/**
 * Argument checks shared by every package of the library, so that each bad input gets the same kind of
 * message: the argument's name, what is wrong, and the sizes or position involved.
 *
 * <p>Used by the library itself; it is public only because the library spans several packages.
 */
public final class Checks {

    private Checks() {
    }

    /**
     * Returns {@code value}, or throws if it is {@code null}.
     *
     * @param value the argument
     * @param name the argument's name, for the message
     * @param <T> the argument's type
     * @return {@code value}
     * @throws NullPointerException naming the argument, if {@code value} is {@code null}
     */
    public static <T> T notNull(T value, String name) {
        if (value == null) { // not requireNonNull(value, () -> …): that lambda, capturing name, is a new object per call
            throw new NullPointerException(name + " must not be null");
        }
        return value;
    }

    /**
     * Returns {@code value}, or throws if it is not at least 1.
     *
     * @param value the size or count
     * @param name the argument's name, for the message
     * @return {@code value}
     * @throws IllegalArgumentException naming the argument and its value, if it is below 1
     */
    public static int positive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, was " + value);
        }
        return value;
    }

    /**
     * Returns {@code value}, or throws if it is NaN or infinite.
     *
     * @param value the number
     * @param name the argument's name, for the message
     * @return {@code value}
     * @throws IllegalArgumentException naming the argument and its value, if it is not finite
     */
    public static double finite(double value, String name) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be a finite number, was " + value);
        }
        return value;
    }

    /**
     * Returns {@code value}, or throws if it is negative, NaN or infinite.
     *
     * @param value the number
     * @param name the argument's name, for the message
     * @return {@code value}
     * @throws IllegalArgumentException naming the argument and its value, if it is not finite and &ge; 0
     */
    public static double nonNegativeFinite(double value, String name) {
        if (!(value >= 0) || value == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException(name + " must be a finite number >= 0, was " + value);
        }
        return value;
    }

    /**
     * Returns {@code value}, or throws if it is not a finite number greater than zero.
     *
     * @param value the number
     * @param name the argument's name, for the message
     * @return {@code value}
     * @throws IllegalArgumentException naming the argument and its value, if it is not finite and &gt; 0
     */
    public static double positiveFinite(double value, String name) {
        if (!(value > 0) || value == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException(name + " must be a finite number > 0, was " + value);
        }
        return value;
    }

    /**
     * Throws unless {@code actual == expected}, with a message that names both sizes.
     *
     * @param actual the size found
     * @param expected the size required
     * @param what a description of the size found, e.g. {@code "inputs: row width"}
     * @param expectedWhat a description of the size required, e.g. {@code "the input size of layer 1"}
     * @throws IllegalArgumentException if the sizes differ
     */
    public static void sameSize(int actual, int expected, String what, String expectedWhat) {
        if (actual != expected) {
            throw new IllegalArgumentException(what + " is " + actual + " but " + expectedWhat + " is " + expected);
        }
    }

    /**
     * Throws, before anything is allocated, unless {@code bytes} fit in the heap this JVM has left: its
     * maximum ({@code -Xmx}) less what is in use. When the estimate says no but the maximum would allow it, the
     * garbage collector is asked once to run and the estimate repeated, so that garbage not yet collected
     * does not cause a refusal.
     *
     * @param bytes the bytes about to be allocated
     * @param what what needs them, e.g. {@code "the weights of layer 1 (300000000 × 1, FLOAT32)"}
     * @throws IllegalArgumentException naming {@code what}, the bytes needed, the bytes free and the maximum
     */
    public static void fitsInHeap(long bytes, String what) {
        Runtime runtime = Runtime.getRuntime();
        long max = runtime.maxMemory();
        long free = max - (runtime.totalMemory() - runtime.freeMemory());
        if (bytes > free && bytes <= max) {
            runtime.gc();
            free = max - (runtime.totalMemory() - runtime.freeMemory());
        }
        if (bytes > free) {
            throw new IllegalArgumentException(what + " need " + megabytes(bytes) + " of memory, but this JVM's heap "
                    + "has " + megabytes(free) + " free of its maximum " + megabytes(max)
                    + " (raise the maximum with -Xmx)");
        }
    }

    private static String megabytes(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
