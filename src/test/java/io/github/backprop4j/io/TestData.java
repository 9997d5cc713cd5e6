package io.github.backprop4j.io;

import io.github.backprop4j.data.Batch;
import io.github.backprop4j.data.DataSource;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.util.SplittableRandom;

/** A small in-memory data source that shuffles with the stream it is given. */
record TestData(double[][] features, double[][] targets) implements DataSource {

    /** {@code n} samples of two features and a one-hot target of two classes (which side of a line). */
    static TestData twoClasses(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] x = new double[n][2];
        double[][] y = new double[n][2];
        for (int i = 0; i < n; i++) {
            x[i][0] = random.nextDouble(-1, 1);
            x[i][1] = random.nextDouble(-1, 1);
            y[i][x[i][0] + 0.5 * x[i][1] > 0 ? 1 : 0] = 1;
        }
        return new TestData(x, y);
    }

    @Override
    public int featureCount() {
        return features[0].length;
    }

    @Override
    public int targetCount() {
        return targets[0].length;
    }

    @Override
    public Batches batches(int batchSize, Precision precision, SplittableRandom shuffle) {
        int[] order = new int[features.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (shuffle != null) {
            for (int i = order.length - 1; i > 0; i--) {
                int j = shuffle.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return new Batches() {
            int next;

            @Override
            public boolean hasNext() {
                return next < order.length;
            }

            @Override
            public Batch next() {
                int size = Math.min(batchSize, order.length - next);
                double[][] x = new double[size][];
                double[][] y = new double[size][];
                for (int i = 0; i < size; i++) {
                    x[i] = features[order[next + i]];
                    y[i] = targets[order[next + i]];
                }
                next += size;
                return new Batch(Matrix.of(precision, x, "features"), Matrix.of(precision, y, "targets"));
            }

            @Override
            public void close() {
            }
        };
    }
}
