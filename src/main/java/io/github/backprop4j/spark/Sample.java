package io.github.backprop4j.spark;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One training sample as a Spark job holds it: its features and its targets (e.g. a one-hot class).
 *
 * <p>The arrays are not copied; treat them as read-only. Serializable, for Spark's shuffles and caches only.
 *
 * @serial exclude
 *
 * @param features the sample's inputs, as many as the network's input size
 * @param targets the sample's targets, as many as the network's output size
 */
public record Sample(double[] features, double[] targets) implements Serializable {

    /**
     * Checks the parts.
     *
     * @param features the sample's inputs
     * @param targets the sample's targets
     * @throws NullPointerException if an array is {@code null}
     */
    public Sample {
        if (features == null || targets == null) {
            throw new NullPointerException(features == null ? "features" : "targets");
        }
    }

    /**
     * A sample of one class, as a one-hot target row.
     *
     * @param features the sample's inputs
     * @param label the class, 0..{@code classCount}−1
     * @param classCount the number of classes, at least 2
     * @return the sample
     * @throws IllegalArgumentException if the label is not a class
     */
    public static Sample ofLabel(double[] features, int label, int classCount) {
        if (classCount < 2 || label < 0 || label >= classCount) {
            throw new IllegalArgumentException("label " + label + " is not one of the classes 0.." + (classCount - 1));
        }
        double[] oneHot = new double[classCount];
        oneHot[label] = 1;
        return new Sample(features, oneHot);
    }

    /** Samples are equal when their features and targets are. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Sample s && Arrays.equals(features, s.features) && Arrays.equals(targets, s.targets);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(features) + Arrays.hashCode(targets);
    }

    /** Returns e.g. {@code "Sample[4 features, 3 targets]"}. */
    @Override
    public String toString() {
        return "Sample[" + features.length + " features, " + targets.length + " targets]";
    }
}
