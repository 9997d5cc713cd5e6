package io.github.backprop4j.examples;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.Standardizer;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.report.HistoryCharts;
import io.github.backprop4j.report.LineChart;
import io.github.backprop4j.report.TrainingReport;
import io.github.backprop4j.train.LearningRateFinder;
import io.github.backprop4j.train.Metrics;
import io.github.backprop4j.train.ReliabilityDiagram;
import io.github.backprop4j.train.TemperatureScaling;
import io.github.backprop4j.train.Trainer;
import io.github.backprop4j.train.TrainingResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Generates the pictures of {@code docs/reports.md} from the run of {@code IrisExample} (100 epochs):
 * {@code docs/images/reports-*.svg}, the range test of {@code LearningRateRangeExample} for {@code docs/progress.md}
 * ({@code docs/images/progress-lr-range.svg}) and, from the same chart through Java2D, {@code docs/images/reports-loss.png}.
 * {@code ReportDocImagesTest} checks that the committed SVGs are what this makes. Run it from the project folder
 * after a change that moves the curves: {@code mvn -q test-compile exec:exec -Dexample=ReportDocImages}.
 */
public final class ReportDocImages {

    private ReportDocImages() {
    }

    /** The charts by the base name of their files. */
    static Map<String, LineChart> charts() {
        DataSet.Split split = BundledData.iris().split(0.7, 7);
        Standardizer scaler = Standardizer.fit(split.train());
        DataSet.Split fitAndValidation = scaler.transform(split.train()).split(0.8, 7);
        DataSet train = fitAndValidation.train();
        DataSet validation = fitAndValidation.test();
        DataSet test = scaler.transform(split.test());
        Network network = Network.builder().input(4).dense(16, Activation.RELU).dense(3, Activation.SOFTMAX).seed(7)
                .build();
        Trainer trainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.adam(0.01)).epochs(100)
                .batchSize(16).metrics(Metrics.ACCURACY).logging(false).seed(7).build();
        TrainingResult result = trainer.fit(network, train, validation);
        TemperatureScaling t = TemperatureScaling.fit(result.network(), validation);
        ReliabilityDiagram before = ReliabilityDiagram.of(result.network(), test, 10);
        ReliabilityDiagram after = ReliabilityDiagram.of(t.probabilities(result.network(), test.features()),
                test.targets(), 10);
        Map<String, LineChart> out = new LinkedHashMap<>();
        out.put("reports-loss", HistoryCharts.of(result.history(), "loss"));
        out.put("reports-accuracy", HistoryCharts.of(result.history(), "accuracy"));
        out.put("reports-reliability", TrainingReport.reliabilityChart(before, "reliability of the test part")
                .withSize(460, 380));
        out.put("reports-reliability-scaled", TrainingReport.reliabilityChart(after,
                String.format(java.util.Locale.ROOT, "after temperature scaling, T = %.3f", t.temperature()))
                .withSize(460, 380));
        // docs/progress.md: the range test of LearningRateRangeExample
        Trainer sgd = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.sgd(0.1)).batchSize(16)
                .logging(false).seed(7).build();
        DataSet irisTrain = scaler.transform(split.train());
        out.put("progress-lr-range", HistoryCharts.learningRateRange(LearningRateFinder.of(sgd).range(1e-4, 1e3)
                .steps(300).run(network, irisTrain)));
        return out;
    }

    /**
     * Writes the pictures.
     *
     * @param args optionally the folder (docs/images unless given)
     * @throws IOException if a file cannot be written
     */
    public static void main(String[] args) throws IOException {
        Path folder = Path.of(args.length > 0 ? args[0] : "docs/images");
        Files.createDirectories(folder);
        Map<String, LineChart> charts = charts();
        for (Map.Entry<String, LineChart> e : charts.entrySet()) {
            Path svg = folder.resolve(e.getKey() + ".svg");
            Files.writeString(svg, e.getValue().toSvg(), StandardCharsets.UTF_8);
            System.out.println("wrote " + svg);
        }
        // the PNG twin of the loss chart; its pixels depend on the fonts installed, so no test compares it
        Path png = folder.resolve("reports-loss.png");
        charts.get("reports-loss").writePng(png);
        System.out.println("wrote " + png);
    }
}
