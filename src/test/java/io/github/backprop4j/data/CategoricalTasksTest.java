package io.github.backprop4j.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CategoricalTasksTest {

    @Test
    void theSameSeedGivesAnEqualDataSetAndAnotherSeedADifferentOne() {
        DataSet a = CategoricalTasks.generate(500, 11);
        DataSet b = CategoricalTasks.generate(500, 11);
        assertThat(a).isEqualTo(b);
        assertThat(a.featuresAsArray()).isDeepEqualTo(b.featuresAsArray());
        assertThat(a.labels()).containsExactly(b.labels());
        assertThat(CategoricalTasks.generate(500, 12)).isNotEqualTo(a);
        assertThat(CategoricalTasks.task(11).scores()).isDeepEqualTo(CategoricalTasks.task(11).scores());
    }

    @Test
    void rowsAreTwoNumericColumnsThenThreeCategoryIndicesWithTheirCategories() {
        DataSet data = CategoricalTasks.generate(2000, 5);
        assertThat(data.featureCount()).isEqualTo(5);
        assertThat(data.numericFeatureCount()).isEqualTo(2);
        assertThat(data.categories().cardinalities()).containsExactly(CategoricalTasks.CARDINALITIES);
        assertThat(data.categories().columnNames()).containsExactly("cat0", "cat1", "cat2");
        assertThat(data.categories().mapping(2).value(19)).isEqualTo("c2_v19");
        assertThat(data.classCount()).isEqualTo(2);
        // every category occurs (2000 uniform draws over at most 20 values)
        for (int c = 0; c < 3; c++) {
            boolean[] seen = new boolean[CategoricalTasks.CARDINALITIES[c]];
            for (int i = 0; i < data.size(); i++) {
                seen[(int) data.features(i)[2 + c]] = true;
            }
            assertThat(seen).as("column %d", c).doesNotContain(false);
        }
    }

    @Test
    void theLabelFollowsTheHiddenScoresWhichTheIndicesDoNotOrder() {
        CategoricalTasks.Task task = CategoricalTasks.task(5);
        DataSet data = task.sample(2000, 6);
        int ones = 0;
        int agree = 0;
        for (int i = 0; i < data.size(); i++) {
            int y = data.label(i);
            ones += y;
            agree += (task.score(data.features(i)) > 0 ? 1 : 0) == y ? 1 : 0;
        }
        assertThat(ones).isBetween(700, 1300);
        assertThat(agree).as("the categories alone predict the label").isGreaterThan(1700);
        for (double[] scores : task.scores()) {
            assertThat(Math.abs(CategoricalTasks.indexCorrelation(scores)))
                    .isLessThan(CategoricalTasks.MAX_INDEX_CORRELATION);
        }
        assertThat(CategoricalTasks.indexCorrelation(new double[] {-1.5, -0.5, 0.5, 1.5})).isEqualTo(1.0);
    }
}
