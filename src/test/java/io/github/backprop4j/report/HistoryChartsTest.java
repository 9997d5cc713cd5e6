package io.github.backprop4j.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.backprop4j.train.History;
import io.github.backprop4j.train.TrainerTestSupport;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class HistoryChartsTest {

    @Test
    void oneChartPerMetricWithTrainingAndValidationSeries(@TempDir Path dir) throws Exception {
        History history = TrainerTestSupport.irisLikeHistory();

        assertThat(HistoryCharts.metrics(history)).containsExactly("loss", "accuracy");
        LineChart loss = HistoryCharts.of(history, "loss");
        assertThat(loss.series()).extracting(LineChart.Series::name).containsExactly("loss", "val_loss");
        assertThat(loss.series().get(1).y()).containsExactly(history.values("val_loss"));

        List<Path> files = HistoryCharts.write(history, dir.resolve("charts"));
        assertThat(files).extracting(p -> p.getFileName().toString())
                .containsExactly("loss.svg", "loss.png", "accuracy.svg", "accuracy.png");
        Document svg = LineChartTest.parse(java.nio.file.Files.readString(files.get(0)));
        assertThat(svg.getElementsByTagNameNS("*", "path").getLength()).isEqualTo(2);
        assertThat(((Element) svg.getElementsByTagNameNS("*", "path").item(0)).getAttribute("d").split("L"))
                .hasSize(history.size());
        BufferedImage png = ImageIO.read(files.get(1).toFile());
        assertThat(Pixels.countNear(png, loss.plotBox(), LineChart.seriesColor(1), 30)).isGreaterThan(100);
    }

    @Test
    void anUnknownMetricIsRefusedNamingTheMeasuredOnes() {
        History history = TrainerTestSupport.irisLikeHistory();
        assertThatThrownBy(() -> HistoryCharts.of(history, "mse")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"mse\"").hasMessageContaining("val_accuracy");
    }
}
