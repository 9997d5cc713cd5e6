package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Layer;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {

    // actual:    0 0 0 1 1 2 2 2
    // predicted: 0 0 1 1 0 1 1 0
    // class 0: TP 2, FP 2, FN 1 -> precision 1/2, recall 2/3, F1 4/7
    // class 1: TP 1, FP 3, FN 1 -> precision 1/4, recall 1/2, F1 1/3
    // class 2: TP 0, never predicted -> precision 0/0 = 0, recall 0, F1 0
    private static final int[] ACTUAL = {0, 0, 0, 1, 1, 2, 2, 2};
    private static final int[] PREDICTED = {0, 0, 1, 1, 0, 1, 1, 0};

    @Test
    void countsAndDerivedMeasuresMatchAHandComputedExample() {
        ConfusionMatrix cm = ConfusionMatrix.of(ACTUAL, PREDICTED, 3);
        assertThat(cm.counts()).isEqualTo(new long[][] {{2, 1, 0}, {1, 1, 0}, {1, 2, 0}});
        assertThat(cm.total()).isEqualTo(8);
        assertThat(cm.accuracy()).isEqualTo(3 / 8.0);
        assertThat(cm.precision(0)).isEqualTo(0.5);
        assertThat(cm.recall(0)).isCloseTo(2 / 3.0, within(1e-15));
        assertThat(cm.f1(0)).isCloseTo(4 / 7.0, within(1e-15));
        assertThat(cm.precision(1)).isEqualTo(0.25);
        assertThat(cm.recall(1)).isEqualTo(0.5);
        assertThat(cm.f1(1)).isCloseTo(1 / 3.0, within(1e-15));
        assertThat(cm.precision(2)).isZero();
        assertThat(cm.recall(2)).isZero();
        assertThat(cm.f1(2)).isZero();
        assertThat(cm.macroPrecision()).isCloseTo(0.75 / 3, within(1e-15));
        assertThat(cm.macroRecall()).isCloseTo((2 / 3.0 + 0.5) / 3, within(1e-15));
        assertThat(cm.macroF1()).isCloseTo((4 / 7.0 + 1 / 3.0) / 3, within(1e-15));
        assertThat(cm.actualCount(2)).isEqualTo(3);
        assertThat(cm.predictedCount(2)).isZero();
    }

    @Test
    void aClassThatNeverOccursHasRecallZero() {
        ConfusionMatrix cm = ConfusionMatrix.of(new int[] {0, 0}, new int[] {0, 1}, 2);
        assertThat(cm.recall(1)).isZero();
        assertThat(cm.precision(1)).isZero();
        assertThat(cm.f1(1)).isZero();
        assertThat(ConfusionMatrix.of(new int[0], new int[0], 2).accuracy()).isNaN();
    }

    @Test
    void toStringIsAnAlignedTableWithClassNames() {
        ConfusionMatrix cm = ConfusionMatrix.of(ACTUAL, PREDICTED, List.of("cat", "dog", "hippopotamus"));
        String[] lines = cm.toString().split("\n");
        assertThat(lines).hasSize(5);
        assertThat(lines[0]).startsWith("actual \\ predicted  cat  dog  hippopotamus  precision  recall      f1");
        assertThat(lines[1]).startsWith("cat                   2    1             0      0.500   0.667   0.571");
        assertThat(lines[3]).startsWith("hippopotamus          1    2             0      0.000   0.000   0.000");
        assertThat(lines[1]).hasSameSizeAs(lines[0]).hasSameSizeAs(lines[3]);
        assertThat(lines[4]).startsWith("accuracy 0.375 (8 samples)");
    }

    @Test
    void badInputsAreNamed() {
        assertThatThrownBy(() -> ConfusionMatrix.of(new int[] {0, 1}, new int[] {0}, 2))
                .hasMessageContaining("predicted").hasMessageContaining("1").hasMessageContaining("2");
        assertThatThrownBy(() -> ConfusionMatrix.of(new int[] {0, 1}, new int[] {0, 2}, 2))
                .hasMessageContaining("predicted: sample 1 has class 2");
        assertThatThrownBy(() -> ConfusionMatrix.of(new int[] {-1}, new int[] {0}, 2))
                .hasMessageContaining("actual: sample 0 has class -1");
    }

    @Test
    void evaluatesANetworkOnALabelledDataSet() {
        // identity-softmax network: class = argmax of the input
        Matrix w = Matrix.of(Precision.FLOAT64, new double[][] {{1, 0}, {0, 1}}, "w");
        Network network = Network.of(Layer.of(w, Matrix.zeros(Precision.FLOAT64, 1, 2), Activation.SOFTMAX));
        DataSet data = DataSet.ofLabels(new double[][] {{2, 1}, {0, 3}, {5, 4}, {1, 0}}, new int[] {0, 1, 1, 0}, 2)
                .withClassNames(List.of("left", "right"));
        ConfusionMatrix cm = ConfusionMatrix.of(network, data);
        assertThat(cm.counts()).isEqualTo(new long[][] {{2, 0}, {1, 1}});
        assertThat(cm.classNames()).containsExactly("left", "right");
        assertThatThrownBy(() -> ConfusionMatrix.of(network, DataSet.of(new double[][] {{1, 2}}, new double[][] {{1}})))
                .isInstanceOf(IllegalStateException.class);
        DataSet threeClasses = DataSet.ofLabels(new double[][] {{1, 2}}, new int[] {2}, 3);
        assertThatThrownBy(() -> ConfusionMatrix.of(network, threeClasses)).hasMessageContaining("2 outputs")
                .hasMessageContaining("3 classes");
    }
}
