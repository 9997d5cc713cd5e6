package io.github.backprop4j.report;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.train.EpochSummary;
import io.github.backprop4j.train.History;
import io.github.backprop4j.train.LearningRateFinder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Charts of a {@link History}: one {@link LineChart} per recorded metric, over the epochs, with the training
 * measurement ({@code loss}) and its validation twin ({@code val_loss}) as two series of one chart (the legend at the
 * bottom for a curve that rises); and one of the learning rate if it changed during the run.
 */
public final class HistoryCharts {

    private static final String VALIDATION = "val_";

    private HistoryCharts() {
    }

    /**
     * Returns the metrics' base names in the order first measured: {@code loss} for {@code loss} and
     * {@code val_loss}, and a validation-only measurement under its name without {@code val_}.
     *
     * @param history the history
     * @return e.g. {@code [loss, accuracy]}
     */
    public static List<String> metrics(History history) {
        Checks.notNull(history, "history");
        Set<String> out = new LinkedHashSet<>();
        for (String name : history.names()) {
            out.add(name.startsWith(VALIDATION) ? name.substring(VALIDATION.length()) : name);
        }
        return List.copyOf(out);
    }

    /**
     * Returns the chart of one metric: a series for the training measurement and one for the validation
     * measurement, each where recorded (an epoch that lacks it is a gap).
     *
     * @param history the history
     * @param metric a base name from {@link #metrics(History)}, e.g. {@code "loss"}
     * @return the chart, titled with the metric
     * @throws IllegalArgumentException if neither {@code metric} nor {@code val_metric} was measured, naming the
     *     measured names
     */
    public static LineChart of(History history, String metric) {
        Checks.notNull(history, "history");
        Checks.notNull(metric, "metric");
        LineChart chart = LineChart.of(metric, "epoch", metric);
        boolean any = false;
        for (String name : List.of(metric, VALIDATION + metric)) {
            if (history.names().contains(name)) {
                chart = chart.withSeries(name, epochs(history), values(history, name));
                any = true;
            }
        }
        if (history.names().stream().filter(n -> n.equals(metric) || n.equals(VALIDATION + metric))
                .anyMatch(n -> higherIsBetter(history, n))) {
            chart = chart.withLegend(LineChart.Legend.BOTTOM_RIGHT);
        }
        if (!any) {
            throw new IllegalArgumentException("metric: the history measured no \"" + metric + "\" nor \""
                    + VALIDATION + metric + "\"; it measured " + history.names());
        }
        return chart;
    }

    /**
     * Returns a chart per metric, then one of the learning rate if it was not the same in every epoch.
     *
     * @param history the history
     * @return the charts, in the order of {@link #metrics(History)}; empty for an empty history
     */
    public static List<LineChart> all(History history) {
        Checks.notNull(history, "history");
        List<LineChart> charts = new ArrayList<>();
        for (String metric : metrics(history)) {
            charts.add(of(history, metric));
        }
        double[] rates = history.epochs().stream().mapToDouble(EpochSummary::learningRate).toArray();
        if (java.util.Arrays.stream(rates).distinct().count() > 1) {
            charts.add(LineChart.of("learning rate", "epoch", "learning rate")
                    .withSeries("learning_rate", epochs(history), rates));
        }
        return charts;
    }

    /**
     * Returns the curve of a learning-rate range test: the loss and the smoothed loss of each step against its rate
     * on a logarithmic axis, and the suggested rate ({@link LearningRateFinder.Result#suggestedRate()}) as a vertical
     * line across the range of the smoothed loss. Losses that are not finite (the run diverged) are gaps.
     *
     * @param range the result of {@link LearningRateFinder#run}
     * @return the chart, titled with the suggested rate
     */
    public static LineChart learningRateRange(LearningRateFinder.Result range) {
        Checks.notNull(range, "range");
        double[] rates = range.learningRates();
        double[] smoothed = range.smoothedLosses();
        double low = Double.POSITIVE_INFINITY;
        double high = Double.NEGATIVE_INFINITY;
        for (double v : smoothed) {
            if (Double.isFinite(v)) {
                low = Math.min(low, v);
                high = Math.max(high, v);
            }
        }
        double suggested = range.suggestedRate();
        LineChart chart = LineChart.of(String.format(java.util.Locale.ROOT, "learning-rate range test: suggested %.3g",
                suggested), "learning rate", "loss").withLogX(true)
                .withSeries("loss", rates, range.losses())
                .withSeries("smoothed loss", rates, smoothed);
        if (low <= high) {
            chart = chart.withSeries("suggested rate", new double[] {suggested, suggested}, new double[] {low, high});
        }
        return chart;
    }

    /**
     * Writes every chart of {@link #all(History)} as {@code <metric>.svg} and {@code <metric>.png} into a
     * folder, each file atomically.
     *
     * @param history the history
     * @param folder the folder, created if missing
     * @return the files written
     * @throws IOException if a file cannot be written
     */
    public static List<Path> write(History history, Path folder) throws IOException {
        Checks.notNull(folder, "folder");
        Files.createDirectories(folder);
        List<Path> files = new ArrayList<>();
        for (LineChart chart : all(history)) {
            String base = chart.title().replaceAll("[^A-Za-z0-9_.-]+", "_");
            Path svg = folder.resolve(base + ".svg");
            Path png = folder.resolve(base + ".png");
            chart.writeSvg(svg);
            chart.writePng(png);
            files.add(svg);
            files.add(png);
        }
        return files;
    }

    /** Whether a curve rises over the run (its last value above its first), so that its legend goes below. */
    private static boolean higherIsBetter(History history, String name) {
        double[] v = values(history, name);
        return v.length > 1 && v[v.length - 1] > v[0];
    }

    private static double[] epochs(History history) {
        return history.epochs().stream().mapToDouble(EpochSummary::epoch).toArray();
    }

    private static double[] values(History history, String name) {
        return history.epochs().stream().mapToDouble(e -> e.values().getOrDefault(name, Double.NaN)).toArray();
    }
}
