package io.github.backprop4j.data;

import io.github.backprop4j.math.Precision;
import java.util.Iterator;
import java.util.OptionalLong;
import java.util.SplittableRandom;

/**
 * Training or evaluation data, read one pass (epoch) at a time in mini-batches, so that data which does
 * not fit in memory can be streamed. {@link DataSet} is the in-memory implementation.
 *
 * <p>Threading: a training run ({@code Trainer.fit}, {@code Trainer.evaluate}) calls {@link #batches} from
 * its own thread and consumes the iterator on that thread, one pass at a time, closing each pass before the
 * next is opened. A source used by one run at a time therefore need not be thread-safe. A source handed to
 * several runs at once (two concurrent {@code fit} calls, or {@code fit} on one thread and {@code evaluate}
 * on another) has {@link #batches} called concurrently and must keep each pass's state in its
 * {@link Batches} object; an immutable in-memory source such as {@link DataSet} may be shared freely. A
 * {@link Batches} object is used by one thread only.
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
     * Returns the number of samples one pass yields, if the source knows it. Training uses it to tell
     * listeners how many batches an epoch has (a progress bar with the time left); a source that does not
     * know (e.g. a stream) keeps this default, and progress then counts batches without a total.
     *
     * @return the samples per pass, at least 1, or empty if unknown (the default)
     */
    default OptionalLong sampleCount() {
        return OptionalLong.empty();
    }

    /**
     * One pass over a data source. Closing it releases whatever the source opened for the pass.
     */
    interface Batches extends Iterator<Batch>, AutoCloseable {
        /** Releases the pass's resources; does not throw checked exceptions. */
        @Override
        void close();
    }
}
