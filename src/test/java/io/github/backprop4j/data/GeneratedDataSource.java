package io.github.backprop4j.data;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * Data that exist only while they are read: each pass draws its samples afresh from a seeded
 * {@link SplittableRandom}, so a source of any size costs one batch of memory. Features are uniform in
 * {@code [−1, 1)}; the single target is a fixed smooth function of them,
 * {@code y = tanh(Σⱼ wⱼxⱼ)} with {@code wⱼ = sin(j + 1) / 4}.
 *
 * <p>Every pass yields the same samples in the same order: the source cannot shuffle and ignores the
 * {@code shuffle} argument of {@link #batches}. Immutable; each pass keeps its own random stream, so passes
 * may run concurrently.
 */
final class GeneratedDataSource implements DataSource {

    private final long samples;
    private final int features;
    private final long seed;
    private final double[] weights;

    GeneratedDataSource(long samples, int features, long seed) {
        if (samples < 1) {
            throw new IllegalArgumentException("samples must be at least 1, was " + samples);
        }
        this.samples = samples;
        this.features = Checks.positive(features, "features");
        this.seed = seed;
        this.weights = new double[features];
        for (int j = 0; j < features; j++) {
            weights[j] = Math.sin(j + 1) / 4;
        }
    }

    long samples() {
        return samples;
    }

    @Override
    public int featureCount() {
        return features;
    }

    @Override
    public int targetCount() {
        return 1;
    }

    @Override
    public Batches batches(int batchSize, Precision precision, SplittableRandom shuffle) {
        Checks.positive(batchSize, "batchSize");
        Checks.notNull(precision, "precision");
        SplittableRandom random = new SplittableRandom(seed);
        return new Batches() {
            private long next;

            @Override
            public boolean hasNext() {
                return next < samples;
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("the pass is over: all " + samples + " samples were returned");
                }
                int rows = (int) Math.min(batchSize, samples - next);
                Matrix x = Matrix.zeros(precision, rows, features);
                Matrix y = Matrix.zeros(precision, rows, 1);
                for (int r = 0; r < rows; r++) {
                    double sum = 0;
                    for (int j = 0; j < features; j++) {
                        double v = random.nextDouble(-1, 1);
                        x.set(r, j, v);
                        sum += weights[j] * v;
                    }
                    y.set(r, 0, Math.tanh(sum));
                }
                next += rows;
                return new Batch(x, y);
            }

            @Override
            public void close() {
                next = samples;
            }
        };
    }

    @Override
    public String toString() {
        return "GeneratedDataSource[" + samples + " samples × " + features + " features, seed " + seed + "]";
    }
}
