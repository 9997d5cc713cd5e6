package io.github.backprop4j.train;

import io.github.backprop4j.BatchNorm;
import io.github.backprop4j.Layer;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.Residual;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.DataSource;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;

/**
 * The checks of data against a network before training or evaluation starts, so that a misfit is reported with
 * the data's name, and a bad value with its row in the data set rather than in a shuffled batch.
 */
final class DataChecks {

    private DataChecks() {
    }

    /**
     * Checks that the data have as many features as the network has inputs and as many targets as it has outputs.
     *
     * @param network the network
     * @param data the data
     * @param name what the data are called in the message, e.g. {@code "training"}
     * @throws IllegalArgumentException naming both sizes, if either differs
     */
    static void fits(Network network, DataSource data, String name) {
        Checks.sameSize(data.featureCount(), network.inputSize(), name + ": the number of features",
                "the input size of layer 1");
        Checks.sameSize(data.targetCount(), network.outputSize(), name + ": the number of targets",
                "the output size of layer " + network.layerCount() + " (the output layer)");
    }

    /**
     * Checks in-memory data: targets against the loss, and for a float32 network, float64 values that float32
     * cannot hold. Streamed data are checked batch by batch as they are read.
     *
     * @param network the network
     * @param loss the loss the targets must suit
     * @param data the data; only a {@link DataSet} is checked here
     * @param name what the data are called in the message, e.g. {@code "training"}
     * @throws IllegalArgumentException naming the row and column of the first bad value
     */
    static void values(Network network, Loss loss, DataSource data, String name) {
        if (data instanceof DataSet d) {
            // float32 storage holds only float values, and a data set's values are finite: nothing to scan for
            if (network.precision() == Precision.FLOAT32 && d.precision() == Precision.FLOAT64) {
                requireFloatRange(d.features(), name + ": features");
                requireFloatRange(d.targets(), name + ": targets");
            }
            try {
                loss.checkTargets(d.targets());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Refuses, before training starts, a network with batch normalization whose in-memory training data and batch
     * size leave a batch of 1 sample (a last partial batch of 1, or batches of 1 throughout): batch normalization
     * has no batch variance to train on in such a batch, and would otherwise fail in the middle of the first
     * epoch. Streamed data, whose size is not known beforehand, are checked batch by batch as they are read.
     *
     * @param network the network
     * @param data the training data; only a {@link DataSet} is checked here
     * @param batchSize the batch size of the run
     * @param name what the data are called in the message, e.g. {@code "training"}
     * @throws IllegalArgumentException naming the layer, the sizes and a batch size that leaves no batch of 1
     */
    static void batchesForBatchNormalization(Network network, DataSource data, int batchSize, String name) {
        if (!(data instanceof DataSet d)) {
            return;
        }
        int samples = d.size();
        int last = samples % batchSize == 0 ? Math.min(batchSize, samples) : samples % batchSize;
        if (last != 1) {
            return;
        }
        for (int l = 1; l <= network.layerCount(); l++) {
            if (holdsBatchNormalization(network.layer(l))) {
                throw new IllegalArgumentException(name + ": " + samples + (samples == 1 ? " sample" : " samples")
                        + " in batches of " + batchSize + " leave a batch of 1 sample, on which layer " + l
                        + (network.layer(l) instanceof BatchNorm ? " (batch normalization)"
                                : " (a residual block holding batch normalization)")
                        + " cannot train: it has no batch variance" + suggestion(samples, batchSize));
            }
        }
    }

    /** A nearby batch size that leaves no batch of 1, if there is one. */
    private static String suggestion(int samples, int batchSize) {
        if (samples < 2) {
            return "; train on at least 2 samples";
        }
        for (int distance = 1; distance < Math.max(batchSize, samples); distance++) {
            for (int candidate : new int[] {batchSize - distance, batchSize + distance}) {
                if (candidate >= 2 && candidate <= samples && samples % candidate != 1) {
                    return "; use a batch size of " + candidate + " (or any other that leaves no last batch of 1)";
                }
            }
        }
        return "; use a batch size of " + samples + " (the whole data set in one batch)";
    }

    private static boolean holdsBatchNormalization(Layer layer) {
        if (layer instanceof BatchNorm) {
            return true;
        }
        if (layer instanceof Residual r) {
            for (Layer inner : r.inner()) {
                if (holdsBatchNormalization(inner)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void requireFloatRange(Matrix values, String name) {
        int[] at = values.firstWhere(v -> Math.abs(v) > Float.MAX_VALUE);
        if (at != null) {
            throw new IllegalArgumentException(name + ": row " + at[0] + ", column " + at[1] + " is "
                    + values.get(at[0], at[1]) + ", outside the range of FLOAT32, the network's precision; scale the"
                    + " data or train a FLOAT64 network");
        }
    }
}
