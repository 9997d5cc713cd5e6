package io.github.backprop4j.demo;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.io.ModelFile;
import io.github.backprop4j.math.Engine;
import io.github.backprop4j.onnx.OnnxExport;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.report.LineChart;
import io.github.backprop4j.train.Trainer;
import io.github.backprop4j.train.TrainingResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Trains, saves, reloads and exports a small network on the module path, and prints one {@code key=value} line per
 * fact that {@code ModulePathIT} checks: which kernels run, whether the reloaded network predicts the same bits, and
 * whether the library's internal packages are out of reach.
 */
public final class ModularApp {

    private ModularApp() {
    }

    /**
     * Runs the application.
     *
     * @param args one argument: a directory to write the model files into
     * @throws Exception on any failure, which fails the test
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        System.out.println("kernels=" + Engine.kernels());
        System.out.println("doubleKernels=" + Engine.doubleKernels());
        System.out.println("vectorized=" + Engine.isVectorized());

        double[][] x = new double[64][];
        double[][] y = new double[64][];
        for (int i = 0; i < 64; i++) {
            double a = (i % 8) / 7.0;
            double b = (i / 8) / 7.0;
            x[i] = new double[] {a, b};
            y[i] = (a > 0.5) != (b > 0.5) ? new double[] {0, 1} : new double[] {1, 0};
        }
        DataSet data = DataSet.of(x, y);
        Network network = Network.builder().input(2)
                .dense(16, Activation.TANH)
                .dense(2, Activation.SOFTMAX)
                .seed(7)
                .build();
        TrainingResult result = Trainer.builder()
                .loss(Loss.CROSS_ENTROPY)
                .optimizer(Optimizer.adam(0.05))
                .epochs(30)
                .batchSize(16)
                .seed(7)
                .build()
                .fit(network, data);
        System.out.println("epochs=" + result.history().size() + " " + result.history().last());

        Path file = dir.resolve("model.safetensors");
        ModelFile.save(result.network(), file);
        Network reloaded = ModelFile.load(file);
        boolean same = Arrays.deepEquals(result.network().predict(x), reloaded.predict(x));
        System.out.println("reloadedPredictsSameBits=" + same);

        Path onnx = dir.resolve("model.onnx");
        OnnxExport.save(reloaded, onnx);
        System.out.println("onnxBytes=" + Files.size(onnx));

        LineChart chart = LineChart.of("loss", "epoch", "loss").withSeries("loss", new double[] {1, 2, 3},
                new double[] {0.9, 0.5, 0.3});
        System.out.println("svgChars=" + chart.toSvg().length());
        try {
            chart.writePng(dir.resolve("loss.png"));
            System.out.println("png=written " + Files.size(dir.resolve("loss.png")));
        } catch (UnsupportedOperationException e) {
            System.out.println("png=refused " + e.getMessage());
        }

        System.out.println("internalChecks=" + reach("io.github.backprop4j.internal.Checks"));
        System.out.println("kernelClass=" + reach("io.github.backprop4j.math.kernel.FloatKernels"));
    }

    /** "inaccessible" when the class loads but its public members may not be used from this module. */
    private static String reach(String className) {
        try {
            Class<?> c = Class.forName(className);
            return c.getModule().isExported(c.getPackageName()) ? "exported" : "inaccessible";
        } catch (ClassNotFoundException e) {
            return "absent";
        }
    }
}
