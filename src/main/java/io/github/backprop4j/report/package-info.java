/**
 * Pictures and pages of a training run, made with the JDK alone: {@link io.github.backprop4j.report.LineChart}
 * (a small line-chart value drawn as SVG or as a PNG through Java2D), {@link io.github.backprop4j.report.HistoryCharts}
 * (one chart per recorded metric of a {@link io.github.backprop4j.train.History}) and
 * {@link io.github.backprop4j.report.TrainingReport} (one self-contained HTML file: model summary, configuration,
 * curves, confusion matrix, reliability diagram and sections of the caller's). See {@code docs/reports.md}.
 */
package io.github.backprop4j.report;
