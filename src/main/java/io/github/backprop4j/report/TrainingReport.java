package io.github.backprop4j.report;

import io.github.backprop4j.Network;
import io.github.backprop4j.io.AtomicFiles;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.train.ConfusionMatrix;
import io.github.backprop4j.train.History;
import io.github.backprop4j.train.ReliabilityDiagram;
import io.github.backprop4j.train.TemperatureScaling;
import io.github.backprop4j.train.Trainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A training report: one self-contained HTML file (inline CSS and SVG; no scripts, fonts, images or anything else
 * to load) with whatever it was given, in this order: the model summary ({@link Network#summary()}), the
 * configuration, the curves of the history ({@link HistoryCharts}), the confusion matrix as a heat map with
 * per-class precision, recall and F1, the reliability diagram (with the temperature, if one was fitted), and
 * the caller's own sections.
 *
 * <pre>{@code
 * TrainingReport.of("Iris")
 *         .network(result.network())
 *         .configuration(trainer)
 *         .history(result.history())
 *         .confusionMatrix(ConfusionMatrix.of(result.network(), test))
 *         .reliability(ReliabilityDiagram.of(result.network(), test, 10))
 *         .section("Notes", "<p>Trained on the bundled data.</p>")
 *         .write(Path.of("target/iris-report.html"));
 * }</pre>
 *
 * <p>The page carries a {@link #CONTENT_SECURITY_POLICY} that forbids every load. Immutable; each method returns
 * a new report. Text given as text (titles, names, the configuration) is
 * escaped; a section's fragment is HTML and is inserted as it is, so it must come from a trusted source (such as
 * this library's renderings) and must itself load nothing, for the file to stay self-contained.
 */
public final class TrainingReport {

    /** The HTML of one section: its title and body. */
    private record Section(String title, String html) {
    }

    private final String title;
    private final Network network;
    private final Map<String, String> configuration;
    private final History history;
    private final ConfusionMatrix confusion;
    private final ReliabilityDiagram reliability;
    private final ReliabilityDiagram calibrated;
    private final TemperatureScaling temperature;
    private final List<Section> sections;

    private TrainingReport(String title, Network network, Map<String, String> configuration, History history,
            ConfusionMatrix confusion, ReliabilityDiagram reliability, ReliabilityDiagram calibrated,
            TemperatureScaling temperature, List<Section> sections) {
        this.title = title;
        this.network = network;
        this.configuration = configuration;
        this.history = history;
        this.confusion = confusion;
        this.reliability = reliability;
        this.calibrated = calibrated;
        this.temperature = temperature;
        this.sections = List.copyOf(sections);
    }

    /**
     * Starts an empty report.
     *
     * @param title the page's title and heading
     * @return the report
     */
    public static TrainingReport of(String title) {
        return new TrainingReport(Checks.notNull(title, "title"), null, Map.of(), null, null, null, null, null,
                List.of());
    }

    /**
     * Returns this report with the model summary of a network.
     *
     * @param model the (trained) network
     * @return a new report
     */
    public TrainingReport network(Network model) {
        Checks.notNull(model, "network");
        return new TrainingReport(title, model, configuration, history, confusion, reliability, calibrated,
                temperature, sections);
    }

    /**
     * Returns this report with a trainer's configuration: loss, optimizer, epochs, batch size, seed, shuffling,
     * metrics, schedule, dropout, clipping, early stopping and validation fraction.
     *
     * @param trainer the trainer that trained the network
     * @return a new report
     */
    public TrainingReport configuration(Trainer trainer) {
        Checks.notNull(trainer, "trainer");
        Map<String, String> c = new LinkedHashMap<>();
        c.put("loss", String.valueOf(trainer.loss()));
        c.put("optimizer", String.valueOf(trainer.optimizer()));
        c.put("epochs", String.valueOf(trainer.epochs()));
        c.put("batch size", String.valueOf(trainer.batchSize()));
        c.put("seed", String.valueOf(trainer.seed()));
        c.put("shuffles", String.valueOf(trainer.shuffles()));
        c.put("metrics", String.valueOf(trainer.metrics()));
        c.put("learning-rate schedule", String.valueOf(trainer.learningRateSchedule()));
        c.put("dropout", String.valueOf(trainer.dropout()));
        c.put("gradient-norm clipping", String.valueOf(trainer.clipGradientNorm()));
        c.put("early stopping", String.valueOf(trainer.earlyStopping()));
        c.put("validation fraction", String.valueOf(trainer.validationFraction()));
        return configuration(c);
    }

    /**
     * Returns this report with a configuration given as named values (of a trainer of one's own, say).
     *
     * @param values the settings by name, in display order
     * @return a new report
     */
    public TrainingReport configuration(Map<String, String> values) {
        Checks.notNull(values, "configuration");
        Map<String, String> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(Checks.notNull(k, "configuration: a name"), String.valueOf(v)));
        return new TrainingReport(title, network, java.util.Collections.unmodifiableMap(copy), history, confusion,
                reliability, calibrated, temperature, sections);
    }

    /**
     * Returns this report with the curves of a training history, one chart per metric.
     *
     * @param run the history
     * @return a new report
     */
    public TrainingReport history(History run) {
        Checks.notNull(run, "history");
        return new TrainingReport(title, network, configuration, run, confusion, reliability, calibrated, temperature,
                sections);
    }

    /**
     * Returns this report with a confusion matrix, drawn as a heat map (rows normalised by the actual class) with
     * per-class precision, recall and F1.
     *
     * @param matrix the confusion matrix, of held-out data
     * @return a new report
     */
    public TrainingReport confusionMatrix(ConfusionMatrix matrix) {
        Checks.notNull(matrix, "confusionMatrix");
        return new TrainingReport(title, network, configuration, history, matrix, reliability, calibrated,
                temperature, sections);
    }

    /**
     * Returns this report with a reliability diagram.
     *
     * @param diagram the diagram of held-out data
     * @return a new report
     */
    public TrainingReport reliability(ReliabilityDiagram diagram) {
        Checks.notNull(diagram, "reliability");
        return new TrainingReport(title, network, configuration, history, confusion, diagram, calibrated, temperature,
                sections);
    }

    /**
     * Returns this report with the reliability diagram after temperature scaling, drawn beside the one of
     * {@link #reliability(ReliabilityDiagram)}.
     *
     * @param scaling the fitted temperature
     * @param diagram the diagram of the same held-out data with the temperature applied
     * @return a new report
     */
    public TrainingReport calibrated(TemperatureScaling scaling, ReliabilityDiagram diagram) {
        Checks.notNull(scaling, "scaling");
        Checks.notNull(diagram, "diagram");
        return new TrainingReport(title, network, configuration, history, confusion, reliability, diagram, scaling,
                sections);
    }

    /**
     * Returns this report with one more section at its end, the hook for renderings of one's own (an explained
     * step, attributions).
     *
     * @param sectionTitle the section's heading, as text
     * @param htmlFragment the section's body, as HTML inserted as it is: trusted, and loading nothing
     * @return a new report
     */
    public TrainingReport section(String sectionTitle, String htmlFragment) {
        Checks.notNull(sectionTitle, "sectionTitle");
        Checks.notNull(htmlFragment, "htmlFragment");
        List<Section> more = new ArrayList<>(sections);
        more.add(new Section(sectionTitle, htmlFragment));
        return new TrainingReport(title, network, configuration, history, confusion, reliability, calibrated,
                temperature, more);
    }

    // ------------------------------------------------------------------ HTML

    /**
     * The page's Content-Security-Policy: nothing may be loaded (no scripts, fonts, style sheets or frames), only
     * inline styles and {@code data:} images are allowed, so the page stays self-contained even with sections of
     * the caller's, and a browser reports any attempt on its console.
     */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

    private static final String CSS = """
            body{font-family:sans-serif;margin:2em auto;max-width:1400px;padding:0 1em;color:#222;background:#fff}
            h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}
            pre{background:#f6f6f6;padding:.8em;overflow-x:auto;font-size:.9em}
            table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em}
            th{background:#f0f0f0}td.n{text-align:right;font-variant-numeric:tabular-nums}
            .charts{display:flex;flex-wrap:wrap;gap:1em}.charts svg{border:1px solid #ddd}
            table.heat td.cell{width:4.5em;text-align:center}
            p.note{color:#555;font-size:.9em}
            """;

    /**
     * Returns the report as one HTML document.
     *
     * @return the HTML text
     */
    public String toHtml() {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"").append(CONTENT_SECURITY_POLICY)
                .append("\">\n") // a browser refuses, and logs, any load a section might attempt
                .append("<link rel=\"icon\" href=\"data:,\">\n") // no request for /favicon.ico
                .append("<title>").append(e(title)).append("</title>\n<style>\n").append(CSS)
                .append("</style>\n</head>\n<body>\n<h1>").append(e(title)).append("</h1>\n");
        if (network != null) {
            h.append("<section id=\"model\">\n<h2>Model</h2>\n<pre>").append(e(network.summary()))
                    .append("</pre>\n</section>\n");
        }
        if (!configuration.isEmpty()) {
            h.append("<section id=\"configuration\">\n<h2>Configuration</h2>\n<table>\n");
            configuration.forEach((k, v) -> h.append("<tr><th>").append(e(k)).append("</th><td>").append(e(v))
                    .append("</td></tr>\n"));
            h.append("</table>\n</section>\n");
        }
        if (history != null) {
            h.append("<section id=\"curves\">\n<h2>Curves</h2>\n");
            if (history.size() == 0) {
                h.append("<p>No epoch completed.</p>\n");
            } else {
                h.append("<p class=\"note\">").append(history.size()).append(" epochs; training values are averaged "
                        + "over each epoch as the network learned, validation values (val_) measured at its end.</p>\n");
                h.append("<div class=\"charts\">\n");
                for (LineChart chart : HistoryCharts.all(history)) {
                    h.append(chart.withSize(560, 340).toSvg());
                }
                h.append("</div>\n");
            }
            h.append("</section>\n");
        }
        if (confusion != null) {
            h.append("<section id=\"confusion\">\n<h2>Confusion matrix</h2>\n").append(heatMap(confusion))
                    .append("</section>\n");
        }
        if (reliability != null) {
            h.append("<section id=\"reliability\">\n<h2>Reliability</h2>\n").append(reliabilityHtml())
                    .append("</section>\n");
        }
        for (Section s : sections) {
            h.append("<section>\n<h2>").append(e(s.title)).append("</h2>\n").append(s.html).append("\n</section>\n");
        }
        return h.append("</body>\n</html>\n").toString();
    }

    /**
     * Writes {@link #toHtml()} to a file, atomically.
     *
     * @param file the file to create or replace, conventionally ending in {@code .html}
     * @throws IOException if the file cannot be written
     */
    public void write(Path file) throws IOException {
        Checks.notNull(file, "file");
        byte[] bytes = toHtml().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    /**
     * Renders a confusion matrix as an HTML heat map: a table whose cells are shaded by the share of their row
     * (the actual class), then per-class precision, recall, F1 and support. Usable in sections of one's own.
     *
     * @param matrix the confusion matrix
     * @return an HTML fragment
     */
    public static String heatMap(ConfusionMatrix matrix) {
        Checks.notNull(matrix, "matrix");
        int k = matrix.classCount();
        List<String> names = matrix.classNames();
        StringBuilder h = new StringBuilder("<table class=\"heat\">\n<tr><th>actual \\ predicted</th>");
        for (String n : names) {
            h.append("<th>").append(e(n)).append("</th>");
        }
        h.append("<th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>\n");
        for (int r = 0; r < k; r++) {
            h.append("<tr><th>").append(e(names.get(r))).append("</th>");
            long row = matrix.actualCount(r);
            for (int c = 0; c < k; c++) {
                long n = matrix.count(r, c);
                double share = row == 0 ? 0 : (double) n / row;
                int shade = (int) Math.round(255 - share * 200); // white to deep blue
                int red = (int) Math.round(255 - share * 255);
                h.append("<td class=\"cell\" style=\"background:rgb(").append(red).append(',').append(shade)
                        .append(",255);color:").append(share > 0.5 ? "#fff" : "#222").append("\" title=\"")
                        .append(String.format(Locale.ROOT, "%.1f %% of actual ", share * 100)).append(e(names.get(r)))
                        .append("\">").append(n).append("</td>");
            }
            h.append("<td class=\"n\">").append(f3(matrix.precision(r))).append("</td><td class=\"n\">")
                    .append(f3(matrix.recall(r))).append("</td><td class=\"n\">").append(f3(matrix.f1(r)))
                    .append("</td><td class=\"n\">").append(row).append("</td></tr>\n");
        }
        h.append("</table>\n<p>accuracy ").append(f3(matrix.accuracy())).append(" over ").append(matrix.total())
                .append(" samples; macro precision ").append(f3(matrix.macroPrecision())).append(", recall ")
                .append(f3(matrix.macroRecall())).append(", F1 ").append(f3(matrix.macroF1())).append("</p>\n");
        return h.toString();
    }

    /**
     * Draws a reliability diagram as a chart: the diagonal of perfect calibration and the mean accuracy against
     * the mean confidence of each bin that holds samples.
     *
     * @param diagram the diagram
     * @param chartTitle the chart's title
     * @return the chart, x and y from 0 to 1
     */
    public static LineChart reliabilityChart(ReliabilityDiagram diagram, String chartTitle) {
        Checks.notNull(diagram, "diagram");
        List<double[]> points = new ArrayList<>();
        for (ReliabilityDiagram.Bin b : diagram.bins()) {
            if (b.count() > 0) {
                points.add(new double[] {b.meanConfidence(), b.accuracy()});
            }
        }
        double[] x = points.stream().mapToDouble(p -> p[0]).toArray();
        double[] y = points.stream().mapToDouble(p -> p[1]).toArray();
        return LineChart.of(chartTitle, "confidence", "accuracy")
                .withSeries("model (ECE " + f3(diagram.expectedCalibrationError()) + ")", x, y)
                .withSeries("perfectly calibrated", new double[] {0, 1}, new double[] {0, 1})
                .withLegend(LineChart.Legend.BOTTOM_RIGHT);
    }

    private String reliabilityHtml() {
        StringBuilder h = new StringBuilder("<p class=\"note\">Accuracy against confidence (the probability of the "
                + "predicted class) in equal-width bins; a calibrated model lies on the diagonal, an over-confident "
                + "one below it.</p>\n<div class=\"charts\">\n");
        h.append(reliabilityChart(reliability, "reliability").withSize(460, 380).toSvg());
        if (calibrated != null) {
            h.append(reliabilityChart(calibrated, String.format(Locale.ROOT, "after temperature scaling, T = %.3f",
                    temperature.temperature())).withSize(460, 380).toSvg());
        }
        h.append("</div>\n<table>\n<tr><th>confidence</th><th>samples</th><th>mean confidence</th><th>accuracy</th>"
                + "</tr>\n");
        for (ReliabilityDiagram.Bin b : reliability.bins()) {
            h.append(String.format(Locale.ROOT, "<tr><td>%.2f – %.2f</td><td class=\"n\">%d</td>", b.lower(),
                    b.upper(), b.count())).append("<td class=\"n\">").append(f3(b.meanConfidence()))
                    .append("</td><td class=\"n\">").append(f3(b.accuracy())).append("</td></tr>\n");
        }
        h.append("</table>\n<p>expected calibration error ").append(f3(reliability.expectedCalibrationError()))
                .append(", maximum ").append(f3(reliability.maximumCalibrationError()));
        if (calibrated != null) {
            h.append("; after temperature scaling ").append(f3(calibrated.expectedCalibrationError()));
        }
        return h.append("</p>\n").toString();
    }

    private static String f3(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String e(String text) {
        return LineChart.escape(text);
    }

    @Override
    public String toString() {
        return "TrainingReport[" + title + ", " + sections.size() + " extra sections]";
    }
}
