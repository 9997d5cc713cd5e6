package io.github.backprop4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.backprop4j.math.Precision;
import org.junit.jupiter.api.Test;

class ScalerTest {

    private static final double[][] TRAIN = {{1, 10, 5}, {2, 20, 5}, {3, 60, 5}};
    private static final double[][] TEST = {{4, 0, 6}};

    @Test
    void standardizerUsesTrainingMeansAndPopulationDeviations() {
        Standardizer s = Standardizer.fit(TRAIN);
        assertThat(s.means()).containsExactly(2, 30, 5);
        assertThat(s.standardDeviations()[0]).isCloseTo(Math.sqrt(2.0 / 3), within(1e-15));
        assertThat(s.standardDeviations()[1]).isCloseTo(Math.sqrt((400 + 100 + 900) / 3.0), within(1e-12));
        double[][] z = s.transform(TRAIN);
        for (int j = 0; j < 2; j++) {
            double mean = 0;
            double squares = 0;
            for (double[] row : z) {
                mean += row[j] / 3;
                squares += row[j] * row[j] / 3;
            }
            assertThat(mean).isCloseTo(0, within(1e-12));
            assertThat(squares).isCloseTo(1, within(1e-12));
        }
        // test data are scaled with the training statistics, not their own
        double[] t = s.transform(TEST[0]);
        assertThat(t[0]).isCloseTo((4 - 2) / Math.sqrt(2.0 / 3), within(1e-12));
        assertThat(t[1]).isCloseTo(-30 / s.standardDeviations()[1], within(1e-12));
    }

    @Test
    void aConstantFeatureIsCentredNotDividedByZero() {
        Standardizer s = Standardizer.fit(new double[][] {{0.1, 1}, {0.1, 2}, {0.1, 3}});
        assertThat(s.standardDeviations()[0]).isZero();
        assertThat(s.transform(new double[] {0.1, 2})).containsExactly(0, 0);
        assertThat(s.transform(new double[] {0.6, 2})[0]).isCloseTo(0.5, within(1e-15));
        MinMaxScaler m = MinMaxScaler.fit(new double[][] {{7, 1}, {7, 3}});
        assertThat(m.transform(new double[] {7, 2})).containsExactly(0, 0.5);
    }

    @Test
    void fittingOnTrainOnlyAndApplyingToADataSetKeepsTargetsLabelsAndPrecision() {
        DataSet data = DataSet.ofLabels(new float[][] {{1, 10}, {2, 20}, {3, 30}, {100, 1000}}, new int[] {0, 1, 0, 1},
                2);
        DataSet train = data.head(3);
        Standardizer s = Standardizer.fit(train);
        assertThat(s.means()).containsExactly(2, 20);
        DataSet scaled = s.transform(data);
        assertThat(scaled.precision()).isEqualTo(Precision.FLOAT32);
        assertThat(scaled.labels()).containsExactly(0, 1, 0, 1);
        assertThat(scaled.targetsAsArray()).isEqualTo(data.targetsAsArray());
        assertThat(scaled.features(1)).containsExactly(0, 0);
        assertThat(scaled.features(3)[0]).isCloseTo(98 / Math.sqrt(2.0 / 3), within(1e-4));
        assertThat(data.features(3)[0]).isEqualTo(100); // the input is unchanged
    }

    @Test
    void minMaxScalerMapsTheTrainingRangeAndDoesNotClipOtherData() {
        MinMaxScaler m = MinMaxScaler.fit(DataSet.of(TRAIN, new double[3][1]));
        assertThat(m.minimums()).containsExactly(1, 10, 5);
        assertThat(m.maximums()).containsExactly(3, 60, 5);
        assertThat(m.transform(TRAIN[1])).containsExactly(0.5, 0.2, 0);
        assertThat(m.transform(TEST[0])[0]).isEqualTo(1.5);
        assertThat(m.transform(TEST[0])[1]).isCloseTo(-0.2, within(1e-15));
        MinMaxScaler pm = MinMaxScaler.fit(DataSet.of(TRAIN, new double[3][1]), -1, 1);
        assertThat(pm.transform(TRAIN[0])[0]).isEqualTo(-1);
        assertThat(pm.transform(TRAIN[2])[1]).isEqualTo(1);
        assertThat(pm.lower()).isEqualTo(-1);
        assertThat(pm.upper()).isEqualTo(1);
        assertThatThrownBy(() -> MinMaxScaler.fit(DataSet.of(TRAIN, new double[3][1]), 1, 1))
                .hasMessageContaining("upper").hasMessageContaining("[1.0, 1.0]");
    }

    @Test
    void fittedScalersAreValuesThatCanBeRebuiltFromTheirParameters() {
        Standardizer s = Standardizer.fit(TRAIN);
        assertThat(Standardizer.of(s.means(), s.standardDeviations())).isEqualTo(s).hasSameHashCodeAs(s);
        assertThat(Standardizer.fit(TRAIN)).isEqualTo(s);
        assertThat(Standardizer.fit(TEST)).isNotEqualTo(s);
        s.means()[0] = 99;
        assertThat(s.means()[0]).isEqualTo(2);
        MinMaxScaler m = MinMaxScaler.fit(TRAIN);
        assertThat(MinMaxScaler.of(m.minimums(), m.maximums(), 0, 1)).isEqualTo(m).hasSameHashCodeAs(m);
        assertThat(MinMaxScaler.of(m.minimums(), m.maximums(), 0, 2)).isNotEqualTo(m);
        assertThat(s).hasToString("Standardizer[3 features]");
        assertThatThrownBy(() -> Standardizer.of(new double[] {0, 1}, new double[] {1, -1}))
                .hasMessageContaining("standardDeviations: feature 1");
        assertThatThrownBy(() -> Standardizer.of(new double[] {0, 1}, new double[] {1}))
                .hasMessageContaining("1").hasMessageContaining("2");
    }

    @Test
    void aWidthMismatchNamesBothSizes() {
        Standardizer s = Standardizer.fit(TRAIN);
        assertThatThrownBy(() -> s.transform(new double[] {1, 2})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is 2").hasMessageContaining("is 3");
        assertThatThrownBy(() -> s.transform(new double[][] {{1, 2, 3}, {1, 2}})).hasMessageContaining("row 1")
                .hasMessageContaining("is 2").hasMessageContaining("is 3");
        assertThatThrownBy(() -> MinMaxScaler.fit(TRAIN).transform(DataSet.of(new double[][] {{1}}, new double[][] {{1}})))
                .hasMessageContaining("data").hasMessageContaining("is 1").hasMessageContaining("is 3");
    }
}
