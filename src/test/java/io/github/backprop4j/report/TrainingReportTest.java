package io.github.backprop4j.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.train.ConfusionMatrix;
import io.github.backprop4j.train.ReliabilityDiagram;
import io.github.backprop4j.train.TemperatureScaling;
import io.github.backprop4j.train.Trainer;
import io.github.backprop4j.train.TrainerTestSupport;
import io.github.backprop4j.train.TrainingResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class TrainingReportTest {

    /** A full report of the seeded blob run, with an extra section. */
    static TrainingReport sample() {
        TrainingResult result = TrainerTestSupport.irisLikeRun();
        Network network = result.network();
        DataSet validation = TrainerTestSupport.blobs(2).withClassNames(List.of("left", "middle", "right <&>"));
        TemperatureScaling t = TemperatureScaling.fit(network, validation);
        ReliabilityDiagram before = ReliabilityDiagram.of(network, validation, 10);
        ReliabilityDiagram after = ReliabilityDiagram.of(t.probabilities(network, validation.features()),
                validation.targets(), 10);
        Trainer trainer = Trainer.builder().loss(io.github.backprop4j.Loss.CROSS_ENTROPY)
                .optimizer(io.github.backprop4j.optim.Optimizer.adam(0.02)).epochs(12).batchSize(16).seed(3).build();
        return TrainingReport.of("Blobs <report>").network(network).configuration(trainer).history(result.history())
                .confusionMatrix(ConfusionMatrix.of(network, validation)).reliability(before).calibrated(t, after)
                .section("Extra & more", "<p id=\"extra\">an extra fragment</p>");
    }

    static List<String> inlineSvgs(String html) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?s)<svg .*?</svg>").matcher(html);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    @Test
    void theReportHoldsEverySectionAndLoadsNothing(@TempDir Path dir) throws Exception {
        TrainingReport report = sample();
        Path file = dir.resolve("report.html");
        report.write(file);
        String html = Files.readString(file);

        assertThat(html).startsWith("<!DOCTYPE html>").contains("<meta charset=\"utf-8\">");
        assertThat(html).contains("<title>Blobs &lt;report&gt;</title>");
        assertThat(html).contains("id=\"model\"", "id=\"configuration\"", "id=\"curves\"", "id=\"confusion\"",
                "id=\"reliability\"", "<h2>Extra &amp; more</h2>", "<p id=\"extra\">an extra fragment</p>");
        assertThat(html).contains("layer  kind"); // the summary table
        assertThat(html).contains("<th>optimizer</th>").contains("<th>batch size</th><td>16</td>");
        assertThat(html).contains("right &lt;&amp;&gt;").doesNotContain("right <&>");
        assertThat(html).contains("<th>precision</th><th>recall</th><th>F1</th>");
        assertThat(html).contains("after temperature scaling, T = ");
        // self-contained: no scripts, no external references of any kind
        assertThat(html).doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("@import")
                .doesNotContainIgnoringCase("url(").doesNotContain("src=");
        Matcher refs = Pattern.compile("(?:href|xlink:href)=\"([^\"]*)\"").matcher(html);
        while (refs.find()) {
            assertThat(refs.group(1)).as("a reference").startsWith("data:");
        }
        assertThat(html.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http:").doesNotContain("https:");
        // two curves (loss, accuracy) and two reliability diagrams, each valid SVG with its series
        List<String> svgs = inlineSvgs(html);
        assertThat(svgs).hasSize(4);
        for (String svg : svgs) {
            Document doc = LineChartTest.parse(svg);
            assertThat(doc.getElementsByTagNameNS("*", "path").getLength()).isEqualTo(2);
        }
        assertThat(svgs.get(2)).contains("perfectly calibrated").contains("model (ECE ");
    }

    @Test
    void theHeatMapShadesEachCellByItsShareOfTheRow() {
        ConfusionMatrix m = ConfusionMatrix.of(new int[] {0, 0, 0, 0, 1, 1}, new int[] {0, 0, 0, 1, 1, 1}, 2);
        String html = TrainingReport.heatMap(m);
        // row 0: 3 of 4 right (75 %), 1 wrong; row 1: 2 of 2
        assertThat(html).contains("title=\"75.0 % of actual 0\">3</td>").contains("title=\"25.0 % of actual 0\">1</td>")
                .contains("title=\"100.0 % of actual 1\">2</td>").contains("rgb(0,55,255)");
        assertThat(html).contains("<td class=\"n\">1.000</td><td class=\"n\">0.750</td>"); // precision, recall of 0
    }

    @Test
    void anEmptyReportIsStillAPage() {
        String html = TrainingReport.of("nothing yet").toHtml();
        assertThat(html).contains("<h1>nothing yet</h1>").doesNotContain("<section");
    }

    /** Writes the sample report where a developer can open it: target/report-sample.html. */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args.length > 0 ? args[0] : "target/report-sample.html");
        sample().write(file);
        System.out.println(file.toAbsolutePath());
    }
}
