package io.github.backprop4j.data;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;

/**
 * One mini-batch: features and targets of the same samples, one sample per row.
 *
 * @param features {@code [batch × features]}
 * @param targets {@code [batch × targets]}, the same number of rows and the same precision
 */
public record Batch(Matrix features, Matrix targets) {

    /**
     * Checks that the two matrices describe the same samples.
     *
     * @param features {@code [batch × features]}
     * @param targets {@code [batch × targets]}
     * @throws IllegalArgumentException if the row counts or precisions differ
     */
    public Batch {
        Checks.notNull(features, "features");
        Checks.notNull(targets, "targets");
        Checks.sameSize(targets.rows(), features.rows(), "targets: the number of rows",
                "the number of feature rows");
        if (targets.precision() != features.precision()) {
            throw new IllegalArgumentException("targets are " + targets.precision() + " but features are "
                    + features.precision());
        }
    }

    /**
     * Returns the number of samples.
     *
     * @return the number of rows
     */
    public int size() {
        return features.rows();
    }
}
