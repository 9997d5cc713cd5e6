package io.github.backprop4j.train;

import io.github.backprop4j.data.Batch;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.DataSource;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.util.SplittableRandom;

/**
 * The batches of one training epoch as {@link Trainer#fit} consumes them: the features and targets of the
 * current batch, valid until the next one. Two kinds:
 *
 * <ul>
 *   <li>for any {@link DataSource}, the source's own pass, one new {@link Batch} after another;</li>
 *   <li>for an in-memory {@link DataSet}, the same samples in the same order, but gathered into two pairs of
 *       buffers (full batches and the shorter last one) that live as long as the run: a step allocates no
 *       batch. The order is the data set's: {@code DataSet.batches} visits rows in a permutation that depends on
 *       the number of rows and the random stream alone, so a data set of the row numbers {@code 0..n-1},
 *       passed with the same stream, lists the rows in the order the data's own pass would.</li>
 * </ul>
 *
 * The batches a user's {@code DataSource} or {@code DataSet.batches} hands out are never reused; the buffers
 * here are the run's own and never leave it (listeners see no batch). Not thread-safe.
 */
abstract class EpochBatches implements AutoCloseable {

    /**
     * Returns the batches of a source for a run: the reusing kind for a {@link DataSet}.
     *
     * @param source the training data
     * @param batchSize the samples per batch
     * @param precision the network's precision
     * @return the batches, to be started once per epoch
     */
    static EpochBatches of(DataSource source, int batchSize, Precision precision) {
        return source instanceof DataSet d ? new Gathered(d, batchSize, precision) : new Passed(source, batchSize,
                precision);
    }

    /**
     * Starts an epoch.
     *
     * @param shuffle the epoch's random stream for the order, or {@code null} for the data's own order
     */
    abstract void start(SplittableRandom shuffle);

    /** Whether the epoch has another batch. */
    abstract boolean hasNext();

    /** Moves to the next batch. */
    abstract void next();

    /** The current batch's features, {@code [batch × features]} in the network's precision. */
    abstract Matrix features();

    /** The current batch's targets, {@code [batch × targets]} in the network's precision. */
    abstract Matrix targets();

    /** Whether every value was checked before training (finite, and in the network's precision's range). */
    abstract boolean checkedBeforehand();

    /** Ends the epoch. */
    @Override
    public abstract void close();

    /** A data source's own pass. */
    private static final class Passed extends EpochBatches {
        private final DataSource source;
        private final int batchSize;
        private final Precision precision;
        private DataSource.Batches pass;
        private Batch batch;

        Passed(DataSource source, int batchSize, Precision precision) {
            this.source = source;
            this.batchSize = batchSize;
            this.precision = precision;
        }

        @Override
        void start(SplittableRandom shuffle) {
            pass = source.batches(batchSize, precision, shuffle);
        }

        @Override
        boolean hasNext() {
            return pass.hasNext();
        }

        @Override
        void next() {
            batch = pass.next();
        }

        @Override
        Matrix features() {
            return batch.features();
        }

        @Override
        Matrix targets() {
            return batch.targets();
        }

        @Override
        boolean checkedBeforehand() {
            return false;
        }

        @Override
        public void close() {
            batch = null;
            if (pass != null) {
                pass.close();
                pass = null;
            }
        }
    }

    /** An in-memory data set's samples, gathered into the run's buffers. */
    private static final class Gathered extends EpochBatches {
        private final Matrix x;
        private final Matrix y;
        private final int batchSize;
        private final int[] order;
        /** The row numbers 0..n-1 as a data set, whose shuffled pass gives the order; made on first use. */
        private DataSet rowNumbers;
        private final Matrix[] full;
        private final Matrix[] last;
        private Matrix[] current;
        private int next;

        Gathered(DataSet data, int batchSize, Precision precision) {
            this.x = data.features();
            this.y = data.targets();
            int n = data.size();
            this.batchSize = Math.min(batchSize, n);
            this.order = new int[n];
            this.full = buffers(precision, this.batchSize);
            int rest = n % this.batchSize;
            this.last = rest == 0 ? full : buffers(precision, rest);
        }

        private Matrix[] buffers(Precision precision, int rows) {
            return new Matrix[] {Matrix.zeros(precision, rows, x.cols()), Matrix.zeros(precision, rows, y.cols())};
        }

        @Override
        void start(SplittableRandom shuffle) {
            next = 0;
            if (shuffle == null) {
                for (int i = 0; i < order.length; i++) {
                    order[i] = i;
                }
                return;
            }
            if (rowNumbers == null) {
                Matrix numbers = Matrix.zeros(Precision.FLOAT64, order.length, 1);
                for (int i = 0; i < order.length; i++) {
                    numbers.set(i, 0, i);
                }
                rowNumbers = DataSet.of(numbers, numbers);
            }
            try (DataSource.Batches pass = rowNumbers.batches(order.length, Precision.FLOAT64, shuffle)) {
                Matrix shuffled = pass.next().features();
                for (int i = 0; i < order.length; i++) {
                    order[i] = (int) shuffled.get(i, 0);
                }
            }
        }

        @Override
        boolean hasNext() {
            return next < order.length;
        }

        @Override
        void next() {
            int end = Math.min(next + batchSize, order.length);
            current = end - next == batchSize ? full : last;
            Matrix.gatherRows(x, order, next, end, current[0]);
            Matrix.gatherRows(y, order, next, end, current[1]);
            next = end;
        }

        @Override
        Matrix features() {
            return current[0];
        }

        @Override
        Matrix targets() {
            return current[1];
        }

        @Override
        boolean checkedBeforehand() {
            return true;
        }

        @Override
        public void close() {
            next = order.length;
        }
    }
}
