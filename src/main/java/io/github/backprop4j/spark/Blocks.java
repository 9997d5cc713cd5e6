package io.github.backprop4j.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import scala.Tuple2;

/** The samples of one partition, held as one object so that a step can find its rows without a scan. */
final class Blocks {

    private Blocks() {
    }

    /**
     * A partition's samples in the data's order with their global numbers.
     *
     * @param numbers the samples' numbers from {@code zipWithIndex}, ascending
     * @param features one row per sample
     * @param targets one row per sample
     */
    record Block(int[] numbers, double[][] features, double[][] targets) implements Serializable {

        static Block of(Iterator<Tuple2<Sample, Long>> samples, int inputSize, int outputSize) {
            List<Tuple2<Sample, Long>> all = new ArrayList<>();
            samples.forEachRemaining(all::add);
            int[] numbers = new int[all.size()];
            double[][] x = new double[all.size()][];
            double[][] y = new double[all.size()][];
            for (int i = 0; i < numbers.length; i++) {
                Sample s = all.get(i)._1();
                long number = all.get(i)._2();
                if (s.features().length != inputSize || s.targets().length != outputSize) {
                    throw new IllegalArgumentException("sample " + number + " has " + s.features().length
                            + " features and " + s.targets().length + " targets, but the network takes "
                            + inputSize + " inputs (layer 1) and gives " + outputSize + " outputs");
                }
                if (number > Integer.MAX_VALUE - 8) {
                    throw new IllegalArgumentException("more than " + (Integer.MAX_VALUE - 8) + " samples");
                }
                numbers[i] = (int) number;
                x[i] = s.features();
                y[i] = s.targets();
            }
            return new Block(numbers, x, y);
        }

        int size() {
            return numbers.length;
        }

        /** Joins the blocks of adjacent partitions into one, in the order of their samples' numbers. */
        static Block merge(Iterator<Block> parts) {
            List<Block> all = new ArrayList<>();
            parts.forEachRemaining(all::add);
            all.sort(Comparator.comparingInt(b -> b.size() == 0 ? Integer.MAX_VALUE : b.numbers()[0]));
            int n = all.stream().mapToInt(Block::size).sum();
            int[] numbers = new int[n];
            double[][] x = new double[n][];
            double[][] y = new double[n][];
            int at = 0;
            for (Block b : all) {
                System.arraycopy(b.numbers(), 0, numbers, at, b.size());
                System.arraycopy(b.features(), 0, x, at, b.size());
                System.arraycopy(b.targets(), 0, y, at, b.size());
                at += b.size();
            }
            return new Block(numbers, x, y);
        }

        /**
         * The block's rows ordered by their samples' positions in an epoch (sorting packed {@code (position,
         * row)} pairs, not boxed indices).
         *
         * @param positionOf each sample number's position, from {@link GlobalBatches#positions}
         */
        int[] orderBy(int[] positionOf) {
            long[] keyed = new long[size()];
            for (int i = 0; i < keyed.length; i++) {
                keyed[i] = ((long) positionOf[numbers[i]] << 32) | i;
            }
            Arrays.sort(keyed);
            int[] rows = new int[keyed.length];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = (int) keyed[i];
            }
            return rows;
        }

        /** The samples in the partition's own shuffled order of the epoch; positions are 0..size−1. */
        EpochBlock inLocalOrder(long seed, int epoch, int partition) {
            int[] order = GlobalBatches.permutation(size(), GlobalBatches.partitionRandom(seed, epoch, partition));
            int[] positions = new int[order.length];
            double[][] x = new double[order.length][];
            double[][] y = new double[order.length][];
            for (int k = 0; k < order.length; k++) {
                positions[k] = k;
                x[k] = features[order[k]];
                y[k] = targets[order[k]];
            }
            return new EpochBlock(positions, x, y);
        }
    }

    /**
     * A partition's samples in the order of one epoch.
     *
     * @param positions each sample's position in the epoch's order, ascending
     * @param features one row per sample
     * @param targets one row per sample
     */
    record EpochBlock(int[] positions, double[][] features, double[][] targets) implements Serializable {

        /** Returns the first row whose position is at least {@code position}. */
        int firstAtOrAfter(int position) {
            int i = Arrays.binarySearch(positions, position);
            return i >= 0 ? i : -i - 1;
        }

        int size() {
            return positions.length;
        }
    }
}
