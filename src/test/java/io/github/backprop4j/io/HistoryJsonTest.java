package io.github.backprop4j.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.train.EpochSummary;
import io.github.backprop4j.train.History;
import io.github.backprop4j.train.TrainerTestSupport;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** History.toJson read back with the library's strict JSON reader. */
class HistoryJsonTest {

    @Test
    void jsonHoldsEveryValueOfEveryEpochAndParsesStrictly() throws Exception {
        History history = TrainerTestSupport.irisLikeHistory();
        Object parsed = Json.parse(history.toJson(), "the history");

        Map<?, ?> root = (Map<?, ?>) parsed;
        assertThat(root.get("names")).isEqualTo(List.of("loss", "accuracy", "val_loss", "val_accuracy"));
        List<?> epochs = (List<?>) root.get("epochs");
        assertThat(epochs).hasSize(history.size());
        for (int i = 0; i < epochs.size(); i++) {
            Map<?, ?> e = (Map<?, ?>) epochs.get(i);
            EpochSummary expected = history.epochs().get(i);
            assertThat(number(e.get("epoch"))).isEqualTo(expected.epoch());
            assertThat(number(e.get("samples"))).isEqualTo(expected.samples());
            assertThat(number(e.get("learning_rate"))).isEqualTo(expected.learningRate());
            assertThat(number(e.get("seconds"))).isEqualTo(expected.duration().toNanos() / 1e9);
            Map<?, ?> values = (Map<?, ?>) e.get("values");
            for (String name : history.names()) {
                assertThat(number(values.get(name))).as("epoch %d %s", i + 1, name).isEqualTo(expected.value(name));
            }
        }
    }

    @Test
    void nonFiniteValuesAreNullAndNamesAreEscaped() throws Exception {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("loss", Double.NaN);
        values.put("a \"quoted\\\" name\n", 0.5);
        History history = new History(List.of(new EpochSummary(1, values, 4, Duration.ofMillis(2), 0.1)));
        Map<?, ?> epoch = (Map<?, ?>) ((List<?>) ((Map<?, ?>) Json.parse(history.toJson(), "the history"))
                .get("epochs")).get(0);
        Map<?, ?> parsed = (Map<?, ?>) epoch.get("values");
        assertThat(parsed.get("loss")).isSameAs(Json.NULL);
        assertThat(number(parsed.get("a \"quoted\\\" name\n"))).isEqualTo(0.5);
        assertThat(Json.parse(new History(List.of()).toJson(), "empty")).isEqualTo(Map.of("names", List.of(),
                "epochs", List.of()));
    }

    private static double number(Object o) {
        return Double.parseDouble(o.toString());
    }
}
