package io.github.backprop4j.train;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * What one epoch of training measured: the training loss and metrics (averaged over the epoch's samples,
 * as the network was while it learned), and the validation loss and metrics (named {@code val_…}, of the
 * network at the end of the epoch), with the epoch's size and wall time.
 *
 * @param epoch the epoch's number, from 1
 * @param values the measurements by name, e.g. {@code loss}, {@code accuracy}, {@code val_loss}
 * @param samples the number of training samples seen
 * @param duration the wall time of the epoch, validation included
 * @param learningRate the learning rate of the epoch's last step
 */
public record EpochSummary(int epoch, Map<String, Double> values, long samples, Duration duration,
        double learningRate) {

    /**
     * Copies the values into an unmodifiable map that keeps their order.
     *
     * @param epoch the epoch's number, from 1
     * @param values the measurements by name
     * @param samples the number of training samples seen
     * @param duration the wall time of the epoch
     * @param learningRate the learning rate of the epoch's last step
     */
    public EpochSummary {
        values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
    }

    /**
     * Returns one measurement.
     *
     * @param name e.g. {@code "loss"} or {@code "val_accuracy"}
     * @return its value
     * @throws IllegalArgumentException naming the known measurements, if there is none of that name
     */
    public double value(String name) {
        Double v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no measurement '" + name + "' in epoch " + epoch + "; there are "
                    + values.keySet());
        }
        return v;
    }

    /**
     * Returns the training throughput.
     *
     * @return training samples per second of wall time
     */
    public double samplesPerSecond() {
        double seconds = duration.toNanos() / 1e9;
        return seconds > 0 ? samples / seconds : Double.POSITIVE_INFINITY;
    }

    /** Returns e.g. {@code "epoch 3: loss 0.2314, accuracy 0.9312 (8000 samples, 1.52 s, 5263 samples/s)"}. */
    @Override
    public String toString() {
        return format(0);
    }

    /**
     * Formats the summary as one line, with the total number of epochs if known.
     *
     * @param totalEpochs the run's configured epochs, or 0 to leave it out
     * @return e.g. {@code "epoch 3/10: loss 0.2314, accuracy 0.9312 (8000 samples, 1.52 s, 5263 samples/s)"}
     */
    public String format(int totalEpochs) {
        StringBuilder s = new StringBuilder("epoch ").append(epoch);
        if (totalEpochs > 0) {
            s.append('/').append(totalEpochs);
        }
        s.append(':');
        String separator = " ";
        for (Map.Entry<String, Double> e : values.entrySet()) {
            s.append(separator).append(e.getKey()).append(' ').append(String.format(Locale.ROOT, "%.4f", e.getValue()));
            separator = ", ";
        }
        return s.append(String.format(Locale.ROOT, " (%d samples, %.2f s, %.0f samples/s)", samples, duration.toNanos() / 1e9,
                samplesPerSecond())).toString();
    }
}
