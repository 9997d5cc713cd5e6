package io.github.backprop4j.data;

import io.github.backprop4j.math.Precision;
import java.util.Iterator;
import java.util.SplittableRandom;

/**
 * Training or evaluation data, read one pass (epoch) at a time in mini-batches, so that data which does
 * not fit in memory can be streamed. {@link DataSet} is the in-memory implementation.
 *
 * <p>Threading: a training run calls {@link #batches} from its own thread and consumes the iterator on that
 * thread; implementations need not be thread-safe, but an in-memory source that is immutable may be shared.
 */
public interface DataSource {

    /**
     * Returns the number of features per sample.
     *
     * @return the width of every feature row
     */
    int featureCount();

    /**
     * Returns the number of target values per sample.
     *
     * @return the width of every target row
     */
    int targetCount();

    /**
     * Opens one pass over the data in batches of {@code batchSize} samples (the last may be smaller).
     *
     * @param batchSize the number of samples per batch, at least 1
     * @param precision the precision of the batches' matrices
     * @param shuffle the random stream that orders this pass, or {@code null} for the source's own order; a
     *     source that cannot shuffle (e.g. a stream) may ignore it and must say so in its documentation
     * @return the batches of this pass; close it when done
     */
    Batches batches(int batchSize, Precision precision, SplittableRandom shuffle);

    /**
     * One pass over a data source. Closing it releases whatever the source opened for the pass.
     */
    interface Batches extends Iterator<Batch>, AutoCloseable {
        /** Releases the pass's resources; does not throw checked exceptions. */
        @Override
        void close();
    }
}
