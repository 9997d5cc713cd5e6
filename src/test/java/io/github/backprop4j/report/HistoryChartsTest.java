package io.github.backprop4j.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.train.History;
import io.github.backprop4j.train.LearningRateFinder;
import io.github.backprop4j.train.Trainer;
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
    void theRangeTestChartHasBothLossesOnALogAxisAndTheSuggestionAsAVerticalLine() throws Exception {
        Trainer trainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.sgd(0.1)).batchSize(8)
                .logging(false).seed(3).build();
        Network network = Network.builder().input(2).dense(8, Activation.TANH).dense(3, Activation.SOFTMAX).seed(3)
                .build();
        LearningRateFinder.Result range = LearningRateFinder.of(trainer).range(1e-4, 1e2).steps(60)
                .run(network, TrainerTestSupport.blobs(1));

        LineChart chart = HistoryCharts.learningRateRange(range);

        assertThat(chart.logX()).isTrue();
        assertThat(chart.series()).extracting(LineChart.Series::name)
                .containsExactly("loss", "smoothed loss", "suggested rate");
        assertThat(chart.series().get(0).x()).containsExactly(range.learningRates());
        assertThat(chart.series().get(1).y()).containsExactly(range.smoothedLosses());
        assertThat(chart.series().get(2).x()).containsExactly(range.suggestedRate(), range.suggestedRate());
        assertThat(chart.title()).contains("suggested");
        assertThat(LineChartTest.parse(chart.toSvg()).getElementsByTagNameNS("*", "path").getLength()).isEqualTo(3);
    }

    @Test
    void anUnknownMetricIsRefusedNamingTheMeasuredOnes() {
        History history = TrainerTestSupport.irisLikeHistory();
        assertThatThrownBy(() -> HistoryCharts.of(history, "mse")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"mse\"").hasMessageContaining("val_accuracy");
    }
}
