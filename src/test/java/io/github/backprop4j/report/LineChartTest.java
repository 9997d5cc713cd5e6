package io.github.backprop4j.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class LineChartTest {

    private static final double[] EPOCHS = {1, 2, 3, 4, 5, 6};

    static LineChart lossChart() {
        return LineChart.of("loss <& \"quoted\">", "epoch", "loss")
                .withSeries("loss", EPOCHS, new double[] {1.2, 0.8, 0.5, 0.4, 0.35, 0.3})
                .withSeries("val_loss", EPOCHS, new double[] {1.3, 0.9, 0.7, 0.6, 0.62, 0.65});
    }

    static Document parse(String svg) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    /** The points of an SVG path "M x y L x y ...", as [x, y] pairs. */
    static List<double[]> points(String d) {
        String[] t = d.trim().split("\\s+");
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < t.length; i += 2) {
            out.add(new double[] {Double.parseDouble(t[i].substring(1)), Double.parseDouble(t[i + 1])});
        }
        return out;
    }

    @Test
    void svgIsXmlWithOnePathPerSeriesInsideThePlotBox() throws Exception {
        LineChart chart = lossChart();
        Document doc = parse(chart.toSvg());

        Element root = doc.getDocumentElement();
        assertThat(root.getLocalName()).isEqualTo("svg");
        assertThat(root.getNamespaceURI()).isEqualTo("http://www.w3.org/2000/svg");
        NodeList paths = doc.getElementsByTagNameNS("*", "path");
        assertThat(paths.getLength()).isEqualTo(2);
        LineChart.Box box = chart.plotBox();
        for (int i = 0; i < 2; i++) {
            Element path = (Element) paths.item(i);
            assertThat(path.getAttribute("data-series")).isEqualTo(i == 0 ? "loss" : "val_loss");
            assertThat(path.getAttribute("stroke")).isEqualTo(LineChart.hex(LineChart.seriesColor(i)));
            List<double[]> points = points(path.getAttribute("d"));
            assertThat(points).hasSize(6);
            for (double[] p : points) {
                assertThat(box.contains(p[0], p[1])).as("point %s,%s in %s", p[0], p[1], box).isTrue();
            }
            // x grows with the epoch; the first point is left of the last
            assertThat(points.get(0)[0]).isLessThan(points.get(5)[0]);
        }
        // a higher loss is drawn higher up (smaller y in pixels)
        List<double[]> loss = points(((Element) paths.item(0)).getAttribute("d"));
        assertThat(loss.get(0)[1]).isLessThan(loss.get(5)[1]);
        // the title was escaped, and parses back to the original text
        assertThat(doc.getElementsByTagNameNS("*", "title").item(0).getTextContent())
                .isEqualTo("loss <& \"quoted\">");
    }

    @Test
    void nonFiniteValuesLeaveAGapAndLogXDropsNonPositiveX() throws Exception {
        LineChart chart = LineChart.of("lr", "learning rate", "loss").withLogX(true)
                .withSeries("loss", new double[] {0, 1e-4, 1e-3, 1e-2, 1e-1, 1},
                        new double[] {5, 2.0, 1.5, Double.NaN, 0.9, 3.0});
        Element path = (Element) parse(chart.toSvg()).getElementsByTagNameNS("*", "path").item(0);
        String d = path.getAttribute("d");
        assertThat(d.chars().filter(c -> c == 'M').count()).as(d).isEqualTo(2); // two runs around the NaN
        List<double[]> points = points(d);
        assertThat(points).hasSize(4);
        // equal steps in log x are equal steps in pixels
        assertThat(points.get(1)[0] - points.get(0)[0]).isCloseTo(points.get(3)[0] - points.get(2)[0],
                org.assertj.core.api.Assertions.within(0.2));
        for (double[] p : points) {
            assertThat(chart.plotBox().contains(p[0], p[1])).isTrue();
        }
    }

    @Test
    void pngDecodesAndShowsEverySeriesColourInThePlotArea(@TempDir Path dir) throws Exception {
        LineChart chart = lossChart();
        Path file = dir.resolve("loss.png");
        chart.writePng(file);
        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(chart.width());
        assertThat(image.getHeight()).isEqualTo(chart.height());
        LineChart.Box box = chart.plotBox();
        for (int i = 0; i < 2; i++) {
            assertThat(Pixels.countNear(image, box, LineChart.seriesColor(i), 30))
                    .as("pixels of series %d's colour in the plot box", i).isGreaterThan(200);
        }
        assertThat(Pixels.countNonWhite(image, box)).isGreaterThan(1000);
        // an empty chart has no series colour at all
        BufferedImage empty = LineChart.of("empty", "x", "y").toImage();
        assertThat(Pixels.countNear(empty, box, LineChart.seriesColor(0), 30)).isZero();
    }

    @Test
    void svgFileIsTheSvgText(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("loss.svg");
        lossChart().writeSvg(file);
        assertThat(Files.readString(file)).isEqualTo(lossChart().toSvg());
    }

    @Test
    void badInputsAreRefusedByName() {
        assertThatThrownBy(() -> LineChart.of("t", "x", "y").withSeries("loss", new double[3], new double[2]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loss").hasMessageContaining("2")
                .hasMessageContaining("3");
        assertThatThrownBy(() -> LineChart.of("t", "x", "y").withSize(10, 400))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10 × 400");
    }

    @Test
    void ticksAreRoundAndCoverTheRange() {
        assertThat(LineChart.ticks(0.27, 1.31)).containsExactly(0.4, 0.6, 0.8, 1.0, 1.2);
        assertThat(LineChart.number(0.30000000000000004)).isEqualTo("0.3");
        assertThat(LineChart.number(1e-6)).isEqualTo("1e-6");
    }
}
