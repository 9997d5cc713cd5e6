package io.github.backprop4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.report.LineChart;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pictures committed under docs/images are what {@link ReportDocImages} makes from today's code. */
class ReportDocImagesTest {

    @Test
    void theCommittedSvgsAreWhatTheGeneratorMakes() throws Exception {
        Map<String, LineChart> charts = ReportDocImages.charts();
        assertThat(charts).hasSize(5);
        for (Map.Entry<String, LineChart> e : charts.entrySet()) {
            Path file = Path.of("docs/images", e.getKey() + ".svg");
            assertThat(file).as("run ReportDocImages (mvn -q test-compile exec:exec -Dexample=ReportDocImages)")
                    .exists();
            assertThat(Files.readString(file)).as("%s: regenerate it with ReportDocImages", file)
                    .isEqualTo(e.getValue().toSvg());
        }
        assertThat(Path.of("docs/images/reports-loss.png")).exists();
        assertThat(Files.readString(Path.of("docs/reports.md"))).contains("images/reports-loss.svg",
                "images/reports-accuracy.svg", "images/reports-reliability.svg", "images/reports-reliability-scaled.svg");
        assertThat(Files.readString(Path.of("docs/progress.md"))).contains("images/progress-lr-range.svg");
    }
}
