package io.github.backprop4j.spark;

import java.util.SplittableRandom;

/**
 * How {@link SparkTrainer}'s synchronous mode forms the global mini-batches of an epoch, written out so that
 * a single machine can follow the same definition.
 *
 * <p>The {@code n} samples are numbered {@code 0..n−1} in the data's own order ({@code zipWithIndex}:
 * partition by partition, in order within each). Epoch {@code e} (from 1) visits them in the order
 * {@link #order(int, long, int) order(n, seed, e)}, a Fisher–Yates permutation drawn from
 * {@link #epochRandom(long, int) epochRandom(seed, e)}; its global batch {@code b} (from 1) is the samples at
 * positions {@code (b−1)·B .. min(b·B, n)−1} of that order. These are exactly the batches that
 * {@code DataSet.batches(B, precision, epochRandom(seed, e))} yields for an in-memory {@code DataSet} holding
 * the samples in the same order, and the shuffling stream is the one {@code Trainer} uses for epoch
 * {@code e} with that seed; so, without dropout, clipping or a schedule that {@code Trainer} would apply
 * differently, synchronous training equals {@code Trainer.fit} with the same seed and batch size.
 */
public final class GlobalBatches {

    private GlobalBatches() {
    }

    /**
     * Returns the random stream that orders epoch {@code e}: SplitMix64's finaliser mixes the seed and the
     * epoch's number, and the stream is the first split of a {@link SplittableRandom} seeded with the result.
     *
     * @param seed the trainer's seed
     * @param epoch the epoch's number, from 1
     * @return a new stream
     */
    public static SplittableRandom epochRandom(long seed, int epoch) {
        return new SplittableRandom(mix64(mix64(seed) + epoch)).split();
    }

    /**
     * Returns the order in which epoch {@code e} visits {@code n} samples: for {@code i} from {@code n−1}
     * down to 1, swap position {@code i} with a uniform {@code j ≤ i} drawn from {@link #epochRandom}.
     *
     * @param n the number of samples, at least 0
     * @param seed the trainer's seed
     * @param epoch the epoch's number, from 1
     * @return element {@code k} is the number of the sample at position {@code k}
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public static int[] order(int n, long seed, int epoch) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, was " + n);
        }
        return permutation(n, epochRandom(seed, epoch));
    }

    /** The inverse of {@link #order}: element {@code i} is the position of sample {@code i} in the epoch. */
    static int[] positions(int n, long seed, int epoch) {
        int[] order = order(n, seed, epoch);
        int[] positionOf = new int[n];
        for (int k = 0; k < n; k++) {
            positionOf[order[k]] = k;
        }
        return positionOf;
    }

    /** The Fisher–Yates shuffle of {@code 0..n−1} that {@code DataSet.batches} draws. */
    static int[] permutation(int n, SplittableRandom random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    /** The random stream of one partition's local order in an epoch of parameter averaging. */
    static SplittableRandom partitionRandom(long seed, int epoch, int partition) {
        return new SplittableRandom(mix64(mix64(mix64(seed) + epoch) + partition));
    }

    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
