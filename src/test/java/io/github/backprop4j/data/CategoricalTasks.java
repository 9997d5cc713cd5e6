package io.github.backprop4j.data;

import io.github.backprop4j.internal.Checks;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Synthetic tabular classification tasks whose signal lies in categorical columns, for tests that compare an
 * embedding of the categories with feeding their indices as numbers.
 *
 * <p>A sample has two numeric columns and {@link #CARDINALITIES three categorical ones}, in the order a
 * {@link DataSet} with {@link Categories} holds them: {@code x0, x1, cat0, cat1, cat2}. Every category {@code k}
 * of column {@code c} has a hidden score {@code s_c[k]}, drawn from a normal distribution and centred so that
 * each column's scores average 0. Then, with {@code x0, x1, ε} independent standard normals and each category
 * uniform,
 *
 * <pre>
 *     label = 1  if  s_0[cat0] + s_1[cat1] + s_2[cat2] + 0.25·x0 + 0.3·ε &gt; 0,  else 0
 * </pre>
 *
 * so {@code x1} is pure noise and {@code x0} a weak signal. The scores are redrawn until, in every column, they
 * correlate with the category index by less than 0.2 in absolute value (Pearson): as a number the index then
 * says almost nothing linear about the score, and a network reading indices has to carve each column into its
 * categories itself, while an embedding learns each category's score directly.
 *
 * <p>Everything is drawn from the seed: the same seed gives an equal task and equal samples.
 */
public final class CategoricalTasks {

    /** The cardinalities of the three categorical columns. */
    public static final int[] CARDINALITIES = {8, 13, 20};

    /** The number of numeric columns, which come first in each row. */
    public static final int NUMERIC = 2;

    /** The largest |Pearson correlation| between a column's category indices and their scores. */
    static final double MAX_INDEX_CORRELATION = 0.2;

    private CategoricalTasks() {
    }

    /**
     * A task: the hidden scores of every category.
     *
     * @param scores {@code scores[c][k]}, the score of category {@code k} of column {@code c}
     */
    public record Task(double[][] scores) {

        /** The categories: column {@code "cat<c>"} holds the values {@code "c<c>_v<k>"}, in index order. */
        public Categories categories() {
            List<CategoryMapping> mappings = new ArrayList<>();
            for (int c = 0; c < scores.length; c++) {
                List<String> values = new ArrayList<>();
                for (int k = 0; k < scores[c].length; k++) {
                    values.add(String.format("c%d_v%02d", c, k));
                }
                mappings.add(CategoryMapping.of("cat" + c, values));
            }
            return Categories.of(mappings);
        }

        /** The score of one row: the sum of its categories' hidden scores. */
        double score(double[] row) {
            double sum = 0;
            for (int c = 0; c < scores.length; c++) {
                sum += scores[c][(int) row[NUMERIC + c]];
            }
            return sum;
        }

        /**
         * Draws labelled samples of this task.
         *
         * @param samples the number of samples, at least 1
         * @param seed the seed of the samples (not of the task)
         * @return a two-class data set of {@code NUMERIC + 3} features, its last three declared categorical
         */
        public DataSet sample(int samples, long seed) {
            Checks.positive(samples, "samples");
            SplittableRandom random = new SplittableRandom(seed);
            double[][] x = new double[samples][NUMERIC + scores.length];
            int[] labels = new int[samples];
            for (int i = 0; i < samples; i++) {
                for (int j = 0; j < NUMERIC; j++) {
                    x[i][j] = random.nextGaussian();
                }
                for (int c = 0; c < scores.length; c++) {
                    x[i][NUMERIC + c] = random.nextInt(scores[c].length);
                }
                double z = score(x[i]) + 0.25 * x[i][0] + 0.3 * random.nextGaussian();
                labels[i] = z > 0 ? 1 : 0;
            }
            return DataSet.ofLabels(x, labels, 2).withCategories(categories());
        }
    }

    /**
     * Draws a task: the hidden scores of its categories.
     *
     * @param seed the seed
     * @return the task
     */
    public static Task task(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] scores = new double[CARDINALITIES.length][];
        for (int c = 0; c < scores.length; c++) {
            do {
                scores[c] = centredNormals(CARDINALITIES[c], random);
            } while (Math.abs(indexCorrelation(scores[c])) >= MAX_INDEX_CORRELATION);
        }
        return new Task(scores);
    }

    /**
     * Draws a task from {@code seed} and samples from it, for a test that splits them.
     *
     * @param samples the number of samples, at least 1
     * @param seed the seed of the task and of its samples
     * @return the samples, as {@link Task#sample}
     */
    public static DataSet generate(int samples, long seed) {
        return task(seed).sample(samples, seed ^ 0x9E3779B97F4A7C15L);
    }

    private static double[] centredNormals(int n, SplittableRandom random) {
        double[] s = new double[n];
        double mean = 0;
        for (int k = 0; k < n; k++) {
            s[k] = random.nextGaussian();
            mean += s[k] / n;
        }
        for (int k = 0; k < n; k++) {
            s[k] -= mean;
        }
        return s;
    }

    /** The Pearson correlation of {@code k} and {@code s[k]} over {@code k = 0..n-1}; {@code s} has mean 0. */
    static double indexCorrelation(double[] s) {
        int n = s.length;
        double meanK = (n - 1) / 2.0;
        double sks = 0;
        double skk = 0;
        double sss = 0;
        for (int k = 0; k < n; k++) {
            sks += (k - meanK) * s[k];
            skk += (k - meanK) * (k - meanK);
            sss += s[k] * s[k];
        }
        return sks / Math.sqrt(skk * sss);
    }
}
