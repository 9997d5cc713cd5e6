package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HistoryExportTest {

    /** Three epochs with awkward values: 0.1 + 0.2, a NaN, an infinity, a name to quote, a missing value. */
    static History sample() {
        Map<String, Double> first = new LinkedHashMap<>();
        first.put("loss", 0.1 + 0.2);
        first.put("accuracy", 1.0 / 3);
        first.put("val_loss", 0.9);
        first.put("odd, \"name\"", -0.0);
        Map<String, Double> second = new LinkedHashMap<>(first);
        second.put("loss", Double.NaN);
        second.put("val_loss", Double.POSITIVE_INFINITY);
        Map<String, Double> third = new LinkedHashMap<>(first);
        third.remove("val_loss");
        return new History(List.of(new EpochSummary(1, first, 105, Duration.ofNanos(12_345_678), 0.01),
                new EpochSummary(2, second, 105, Duration.ofMillis(1500), 0.005),
                new EpochSummary(3, third, 100, Duration.ofSeconds(2, 1), 1e-7)));
    }

    @Test
    void csvRoundTripsEveryValueBitForBit() {
        History history = sample();
        String csv = history.toCsv();

        assertThat(csv).startsWith("epoch,samples,seconds,learning_rate,loss,accuracy,val_loss,\"odd, \"\"name\"\"\"\n");
        assertThat(csv.lines()).hasSize(4);
        assertThat(csv.lines().skip(2).findFirst().orElseThrow()).contains("NaN").contains("Infinity");
        History back = History.fromCsv(csv);
        assertThat(back).isEqualTo(history);
        assertThat(back.epochs().get(0).value("loss")).isEqualTo(0.30000000000000004);
        assertThat(back.epochs().get(2).values()).doesNotContainKey("val_loss");
    }

    @Test
    void csvOfATrainingRunHasEveryMetricTrainingAndValidation() {
        History history = TrainerTestSupport.irisLikeHistory();
        String csv = history.toCsv();
        assertThat(csv.lines().findFirst().orElseThrow())
                .isEqualTo("epoch,samples,seconds,learning_rate,loss,accuracy,val_loss,val_accuracy");
        assertThat(History.fromCsv(csv).values("val_accuracy")).containsExactly(history.values("val_accuracy"));
    }

    @Test
    void malformedCsvIsRefusedNamingLineAndColumn() {
        assertThatThrownBy(() -> History.fromCsv("epoch,loss\n1,0.5\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 1")
                .hasMessageContaining("epoch,samples,seconds,learning_rate");
        assertThatThrownBy(() -> History.fromCsv("epoch,samples,seconds,learning_rate,loss\n1,10,0.1,0.01,abc\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 2")
                .hasMessageContaining("column loss").hasMessageContaining("abc");
        assertThatThrownBy(() -> History.fromCsv("epoch,samples,seconds,learning_rate,loss\n1,10,0.1\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 2 has 3 cells")
                .hasMessageContaining("5");
    }
}
