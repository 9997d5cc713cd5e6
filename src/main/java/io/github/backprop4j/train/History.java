package io.github.backprop4j.train;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The measurements of every completed epoch of a training run, in order. Immutable.
 *
 * @param epochs one summary per completed epoch
 */
public record History(List<EpochSummary> epochs) {

    /**
     * Copies the list.
     *
     * @param epochs one summary per completed epoch
     */
    public History {
        epochs = List.copyOf(epochs);
    }

    /**
     * Returns the number of completed epochs.
     *
     * @return the number of summaries
     */
    public int size() {
        return epochs.size();
    }

    /**
     * Returns the names measured, e.g. {@code [loss, accuracy, val_loss, val_accuracy]}.
     *
     * @return the names in the order of the first epoch
     */
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        epochs.forEach(e -> names.addAll(e.values().keySet()));
        return names;
    }

    /**
     * Returns one measurement for every epoch.
     *
     * @param name e.g. {@code "val_loss"}
     * @return the values, element 0 for epoch 1
     * @throws IllegalArgumentException if some epoch lacks the measurement
     */
    public double[] values(String name) {
        return epochs.stream().mapToDouble(e -> e.value(name)).toArray();
    }

    /**
     * Returns the last completed epoch.
     *
     * @return its summary
     * @throws IllegalStateException if no epoch completed
     */
    public EpochSummary last() {
        if (epochs.isEmpty()) {
            throw new IllegalStateException("no epoch completed");
        }
        return epochs.get(epochs.size() - 1);
    }

    /** Returns one line per epoch. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        epochs.forEach(e -> s.append(e).append('\n'));
        return s.toString();
    }
}
