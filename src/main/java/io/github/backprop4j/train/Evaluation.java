package io.github.backprop4j.train;

import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.Batch;
import io.github.backprop4j.data.DataSource;
import io.github.backprop4j.math.Matrix;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The running loss and {@link Metric}s of one pass over data: a training epoch, batch by batch as it trains, or
 * a network evaluated on data with {@link #over}. The loss is the mean over samples of the batch losses, each
 * weighted by its batch's size; each metric is its own {@link Metric.Accumulator}. Not thread-safe.
 */
final class Evaluation {

    private final List<Metric> metrics;
    private final List<Metric.Accumulator> accumulators;
    private double lossSum;
    private long samples;

    /**
     * Starts an empty pass.
     *
     * @param metrics the metrics to accumulate, besides the loss
     */
    Evaluation(List<Metric> metrics) {
        this.metrics = metrics;
        this.accumulators = metrics.stream().map(Metric::newAccumulator).toList();
    }

    /**
     * Evaluates a network on data: the loss and every metric, with no dropout. The data are not checked against
     * the network beforehand here (see {@link DataChecks}); a batch that does not suit it is refused with its
     * number.
     *
     * @param network the network
     * @param data the data, read once in batches of {@code batchSize}, unshuffled
     * @param loss the loss to measure
     * @param metrics the metrics to measure
     * @param batchSize the samples per batch, at least 1
     * @param name what the data are called in an error message, e.g. {@code "validation"}
     * @return the completed pass
     * @throws IllegalArgumentException naming {@code name} and the batch, if a batch does not suit the network
     *     or the loss
     */
    static Evaluation over(Network network, DataSource data, Loss loss, List<Metric> metrics, int batchSize,
            String name) {
        Evaluation eval = new Evaluation(metrics);
        Backpropagator checks = new Backpropagator(loss);
        int last = network.layerCount();
        try (DataSource.Batches batches = data.batches(batchSize, network.precision(), null)) {
            int batchNumber = 0;
            while (batches.hasNext()) {
                Batch batch = batches.next();
                batchNumber++;
                ForwardPass pass;
                Matrix y;
                try {
                    pass = ForwardPass.run(network, batch.features());
                    y = checks.checkTargets(pass, batch.targets());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(name + ": batch " + batchNumber
                            + " (rows are numbered within the batch): " + e.getMessage(), e);
                }
                eval.add(loss.value(pass.weightedSums(last), pass.output(), y), pass.output(), y);
            }
        }
        return eval;
    }

    /**
     * Adds one batch.
     *
     * @param batchLoss the batch's loss, a mean over its samples
     * @param outputs the network's outputs {@code aᴸ}, {@code [batch × outputs]}
     * @param targets the targets, the same shape
     */
    void add(double batchLoss, Matrix outputs, Matrix targets) {
        lossSum += batchLoss * outputs.rows(); // batch losses are means: weight them by batch size
        samples += outputs.rows();
        for (int i = 0; i < accumulators.size(); i++) { // a plain loop: no capturing lambda per batch
            accumulators.get(i).add(outputs, targets);
        }
    }

    /**
     * Returns the number of samples added.
     *
     * @return the samples of every batch so far
     */
    long samples() {
        return samples;
    }

    /**
     * Returns the loss and each metric over every batch added so far.
     *
     * @param prefix put before each name, e.g. {@code "val_"}, or {@code ""}
     * @return {@code <prefix>loss} (NaN if nothing was added) and then {@code <prefix><metric>} in the order
     *     of the metrics; a new, modifiable map
     */
    Map<String, Double> results(String prefix) {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put(prefix + "loss", samples == 0 ? Double.NaN : lossSum / samples);
        for (int i = 0; i < metrics.size(); i++) {
            values.put(prefix + metrics.get(i).name(), accumulators.get(i).result());
        }
        return values;
    }
}
