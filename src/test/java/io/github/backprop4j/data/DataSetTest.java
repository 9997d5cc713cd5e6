package io.github.backprop4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DataSetTest {

    /** Row i has features {i, 10·i} and target {i}, so every batch row tells which sample it is. */
    private static DataSet numbered(int n) {
        double[][] x = new double[n][];
        double[][] y = new double[n][];
        for (int i = 0; i < n; i++) {
            x[i] = new double[] {i, 10 * i};
            y[i] = new double[] {i};
        }
        return DataSet.of(x, y);
    }

    private static List<Integer> rowsOfPass(DataSource data, int batchSize, SplittableRandom shuffle,
            List<Integer> batchSizes) {
        List<Integer> rows = new ArrayList<>();
        try (DataSource.Batches batches = data.batches(batchSize, Precision.FLOAT64, shuffle)) {
            while (batches.hasNext()) {
                Batch b = batches.next();
                batchSizes.add(b.size());
                for (int r = 0; r < b.size(); r++) {
                    assertThat(b.features().get(r, 1)).isEqualTo(10 * b.features().get(r, 0));
                    assertThat(b.targets().get(r, 0)).isEqualTo(b.features().get(r, 0));
                    rows.add((int) b.features().get(r, 0));
                }
            }
        }
        return rows;
    }

    @Test
    void batchesWithoutShuffleVisitEveryRowInOrderAndTheLastBatchIsSmaller() {
        List<Integer> sizes = new ArrayList<>();
        List<Integer> rows = rowsOfPass(numbered(10), 4, null, sizes);
        assertThat(rows).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(sizes).containsExactly(4, 4, 2);
    }

    @Test
    void shuffledBatchesCoverEveryRowExactlyOncePerPassAndRepeatWithTheSeed() {
        DataSet data = numbered(103);
        List<Integer> first = rowsOfPass(data, 10, new SplittableRandom(7), new ArrayList<>());
        List<Integer> again = rowsOfPass(data, 10, new SplittableRandom(7), new ArrayList<>());
        List<Integer> other = rowsOfPass(data, 10, new SplittableRandom(8), new ArrayList<>());
        assertThat(first).containsExactlyInAnyOrderElementsOf(IntStream.range(0, 103).boxed().toList());
        assertThat(first).isEqualTo(again).isNotEqualTo(other)
                .isNotEqualTo(IntStream.range(0, 103).boxed().toList());
        // one random stream drives successive epochs: each is a new permutation
        SplittableRandom stream = new SplittableRandom(7);
        List<Integer> epoch1 = rowsOfPass(data, 10, stream, new ArrayList<>());
        List<Integer> epoch2 = rowsOfPass(data, 10, stream, new ArrayList<>());
        assertThat(epoch1).isEqualTo(first);
        assertThat(epoch2).isNotEqualTo(epoch1).containsExactlyInAnyOrderElementsOf(epoch1);
    }

    @Test
    void batchesComeInTheRequestedPrecisionAndEndWithNoSuchElement() {
        DataSet data = DataSet.of(new float[][] {{1.5f}, {2.5f}}, new float[][] {{1}, {0}});
        assertThat(data.precision()).isEqualTo(Precision.FLOAT32);
        try (DataSource.Batches b = data.batches(5, Precision.FLOAT64, null)) {
            Batch batch = b.next();
            assertThat(batch.features().precision()).isEqualTo(Precision.FLOAT64);
            assertThat(batch.targets().precision()).isEqualTo(Precision.FLOAT64);
            assertThat(batch.features().toDoubleArray()).isEqualTo(new double[][] {{1.5}, {2.5}});
            assertThat(b.hasNext()).isFalse();
            assertThatThrownBy(b::next).isInstanceOf(java.util.NoSuchElementException.class);
        }
        assertThatThrownBy(() -> data.batches(0, Precision.FLOAT32, null))
                .hasMessageContaining("batchSize").hasMessageContaining("0");
    }

    @Test
    void constructionNamesRaggedRowsNonFiniteValuesAndMismatchedRowCounts() {
        assertThatThrownBy(() -> DataSet.of(new double[][] {{1, 2}, {3}}, new double[][] {{0}, {1}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("features")
                .hasMessageContaining("row 1");
        assertThatThrownBy(() -> DataSet.of(new double[][] {{1, 2}, {3, Double.NaN}}, new double[][] {{0}, {1}}))
                .hasMessageContaining("features").hasMessageContaining("row 1, column 1")
                .hasMessageContaining("NaN");
        assertThatThrownBy(() -> DataSet.of(new double[][] {{1}, {2}}, new double[][] {{0}, {Double.POSITIVE_INFINITY}}))
                .hasMessageContaining("targets").hasMessageContaining("row 1, column 0");
        assertThatThrownBy(() -> DataSet.of(new double[][] {{1}, {2}, {3}}, new double[][] {{0}, {1}}))
                .hasMessageContaining("targets").hasMessageContaining("2").hasMessageContaining("3");
        assertThatThrownBy(() -> DataSet.ofLabels(new double[][] {{1}, {2}, {3}}, new int[] {0, 3, 1}, 3))
                .hasMessageContaining("labels: row 1 is 3").hasMessageContaining("0..2");
        assertThatThrownBy(() -> DataSet.ofLabels(new double[][] {{1}, {2}, {3}}, new int[] {0, -1, 1}, 3))
                .hasMessageContaining("row 1 is -1");
        assertThatThrownBy(() -> DataSet.ofLabels(new double[][] {{1}, {2}}, new int[] {0}, 3))
                .hasMessageContaining("1").hasMessageContaining("2");
        assertThatThrownBy(() -> DataSet.of(new double[0][], new double[0][]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void labelsAreOneHotEncodedAndKept() {
        DataSet data = DataSet.ofLabels(new double[][] {{1}, {2}, {3}}, new int[] {2, 0, 1}, 3);
        assertThat(data.targetsAsArray()).isEqualTo(new double[][] {{0, 0, 1}, {1, 0, 0}, {0, 1, 0}});
        assertThat(data.labels()).containsExactly(2, 0, 1);
        assertThat(data.label(0)).isEqualTo(2);
        assertThat(data.classCount()).isEqualTo(3);
        assertThat(data.classNames()).containsExactly("0", "1", "2");
        DataSet named = data.withClassNames(List.of("a", "b", "c"));
        assertThat(named.classNames()).containsExactly("a", "b", "c");
        assertThatThrownBy(() -> data.withClassNames(List.of("a"))).hasMessageContaining("1")
                .hasMessageContaining("3");
        DataSet binary = DataSet.ofBinaryLabels(new double[][] {{1}, {2}}, new int[] {1, 0});
        assertThat(binary.targetsAsArray()).isEqualTo(new double[][] {{1}, {0}});
        assertThat(binary.classCount()).isEqualTo(2);
        DataSet plain = numbered(3);
        assertThat(plain.hasLabels()).isFalse();
        assertThat(plain.classCount()).isZero();
        assertThatThrownBy(plain::labels).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void accessorsReturnCopiesOrReadOnlyViews() {
        double[][] x = {{1, 2}, {3, 4}};
        int[] y = {0, 1};
        DataSet data = DataSet.ofLabels(x, y, 2);
        x[0][0] = 99;
        y[0] = 1;
        assertThat(data.features(0)).containsExactly(1, 2);
        assertThat(data.label(0)).isZero();
        data.featuresAsArray()[0][0] = 99;
        data.labels()[0] = 1;
        data.features(0)[0] = 99;
        assertThat(data.features(0)).containsExactly(1, 2);
        assertThat(data.label(0)).isZero();
        Matrix view = data.features();
        assertThat(view.isReadOnly()).isTrue();
        assertThatThrownBy(() -> view.set(0, 0, 5)).isInstanceOf(IllegalStateException.class);
        assertThat(data.size()).isEqualTo(2);
        assertThat(data.featureCount()).isEqualTo(2);
        assertThat(data.targetCount()).isEqualTo(2);
    }

    @Test
    void subsetAndHeadPickRowsAndKeepLabels() {
        DataSet data = DataSet.ofLabels(new double[][] {{0}, {1}, {2}, {3}}, new int[] {0, 1, 0, 1}, 2)
                .withClassNames(List.of("no", "yes"));
        DataSet picked = data.subset(new int[] {3, 1, 3});
        assertThat(picked.featuresAsArray()).isEqualTo(new double[][] {{3}, {1}, {3}});
        assertThat(picked.labels()).containsExactly(1, 1, 1);
        assertThat(picked.classNames()).containsExactly("no", "yes");
        assertThat(data.head(2).featuresAsArray()).isEqualTo(new double[][] {{0}, {1}});
        assertThat(data.head(10)).isEqualTo(data);
        assertThatThrownBy(() -> data.subset(new int[] {0, 4})).hasMessageContaining("element 1 is 4")
                .hasMessageContaining("4 rows");
        assertThatThrownBy(() -> data.subset(new int[0])).hasMessageContaining("empty");
        assertThatThrownBy(() -> data.head(0)).hasMessageContaining("count");
    }

    @Test
    void splitIsDisjointCompleteSizedAndReproducible() {
        DataSet data = numbered(150);
        DataSet.Split split = data.split(0.8, 42);
        assertThat(split.train().size()).isEqualTo(120);
        assertThat(split.test().size()).isEqualTo(30);
        List<Integer> train = column0(split.train());
        List<Integer> test = column0(split.test());
        assertThat(train).doesNotContainAnyElementsOf(test);
        List<Integer> all = new ArrayList<>(train);
        all.addAll(test);
        assertThat(all).containsExactlyInAnyOrderElementsOf(IntStream.range(0, 150).boxed().toList());
        assertThat(train).isSorted();
        assertThat(data.split(0.8, 42)).isEqualTo(split);
        assertThat(data.split(0.8, 43).train()).isNotEqualTo(split.train());
        assertThatThrownBy(() -> data.split(1.0, 1)).hasMessageContaining("trainFraction");
        assertThatThrownBy(() -> numbered(2).split(0.1, 1)).hasMessageContaining("0 training");
    }

    @Test
    void splitKeepsLabelsWithTheirRows() {
        double[][] x = new double[20][];
        int[] y = new int[20];
        for (int i = 0; i < 20; i++) {
            x[i] = new double[] {i};
            y[i] = i % 3;
        }
        DataSet.Split split = DataSet.ofLabels(x, y, 3).split(0.5, 1);
        for (DataSet part : List.of(split.train(), split.test())) {
            for (int r = 0; r < part.size(); r++) {
                assertThat(part.label(r)).isEqualTo((int) part.features(r)[0] % 3);
                assertThat(part.targets(r)[part.label(r)]).isEqualTo(1.0);
            }
        }
    }

    @Test
    void permutationIsFisherYatesFromTheGivenStream() {
        int[] p = DataSet.permutation(5, new SplittableRandom(3));
        // replay the algorithm by hand with the same stream
        SplittableRandom r = new SplittableRandom(3);
        int[] expected = {0, 1, 2, 3, 4};
        for (int i = 4; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = expected[i];
            expected[i] = expected[j];
            expected[j] = t;
        }
        assertThat(p).containsExactly(expected);
    }

    @Test
    void toStringGivesSizesNotNumbers() {
        DataSet data = DataSet.ofLabels(new double[][] {{1.25, 2}, {3, 4}}, new int[] {0, 1}, 2)
                .withClassNames(List.of("cat", "dog"));
        assertThat(data.toString()).isEqualTo("DataSet[2 samples, 2 features, 2 targets, 2 classes (cat, dog),"
                + " FLOAT64]").doesNotContain("1.25");
        assertThat(numbered(3).toString()).isEqualTo("DataSet[3 samples, 2 features, 1 targets, FLOAT64]");
    }

    private static List<Integer> column0(DataSet d) {
        return Arrays.stream(d.featuresAsArray()).map(row -> (int) row[0]).toList();
    }
}
