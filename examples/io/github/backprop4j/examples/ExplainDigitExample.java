package io.github.backprop4j.examples;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.Batch;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.train.Attributions;
import io.github.backprop4j.train.Attributions.Target;
import io.github.backprop4j.train.ExplainedStep;
import io.github.backprop4j.train.Metrics;
import io.github.backprop4j.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Watches a small digit classifier learn and explains one of its answers: a 784-16-10 network is trained briefly on
 * 2,000 of the bundled MNIST digits; then {@link ExplainedStep} prints one more training step on two digits, layer
 * by layer (truncated: 784 inputs and 12,560 weights do not fit a terminal), and {@link Attributions} shows which
 * pixels made the network pick its class for the first test digit: the digit and its integrated gradients (from an
 * all-black baseline, 50 steps) side by side as 28×28 ASCII pictures.
 *
 * <p>Run it from an IDE, or with {@code mvn -q test-compile exec:exec -Dexample=ExplainDigitExample}. Arguments,
 * both optional: the number of epochs (3 unless given), and a file to write the attribution heat map to as SVG
 * (docs/images/explain-digit.svg is made so).
 */
public final class ExplainDigitExample {

    /** The characters of the ASCII heat map, from strongly against the class to strongly for it. */
    static final String SHADES = "@O=-, .:+*#";

    private ExplainDigitExample() {
    }

    /**
     * Trains, explains a step, and prints the attributions of a digit.
     *
     * @param args optionally the number of epochs, then optionally an SVG file to write
     */
    public static void main(String[] args) {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        DataSet train = BundledData.mnistTrain().head(2000);
        DataSet test = BundledData.mnistTest().head(200);

        Network network = Network.builder().input(784).dense(16, Activation.RELU).dense(10, Activation.SOFTMAX)
                .seed(1).build();
        Trainer trainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.momentum(0.05, 0.9))
                .epochs(epochs).batchSize(32).metrics(Metrics.ACCURACY).seed(1).logging(false).build();
        Network trained = trainer.fit(network, train).network();
        System.out.printf(Locale.ROOT, "accuracy on %d test digits after %d epochs: %.4f%n%n", test.size(), epochs,
                trainer.evaluate(trained, test).get("accuracy"));

        DataSet two = train.head(2);
        ExplainedStep step = ExplainedStep.of(trainer, trained, new Batch(two.features(), two.targets()));
        System.out.print(step.toText(4));

        DataSet digit = test.head(1);
        Matrix x = digit.features();
        int predicted = trained.predictClasses(x)[0];
        Target score = Target.score(predicted);
        Attributions attributions = Attributions.of(trained);
        Matrix phi = attributions.integratedGradients(x, score);
        double fx = attributions.values(x, score)[0];
        double f0 = attributions.values(Matrix.zeros(x.precision(), 1, 784), score)[0];
        double sum = 0;
        for (int j = 0; j < 784; j++) {
            sum += phi.get(0, j);
        }
        System.out.printf(Locale.ROOT, "%nThe first test digit, a %d, is read as %d. Integrated gradients of its "
                + "score z[%d] from an all-black image, 50 steps:%n", digit.label(0), predicted, predicted);
        System.out.printf(Locale.ROOT, "sum of the attributions %.6f, f(x) − f(black) = %.6f − (%.6f) = %.6f%n", sum, fx,
                f0, fx - f0);
        System.out.println("digit (left) and attributions (right: " + SHADES.charAt(SHADES.length() - 1)
                + " for the class, " + SHADES.charAt(0) + " against it)");
        System.out.print(asciiPictures(x.row(0), phi.row(0)));
        if (args.length > 1) {
            try {
                Files.writeString(Path.of(args[1]), svg(x.row(0), phi.row(0), digit.label(0), predicted),
                        StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            System.out.println("wrote " + args[1]);
        }
    }

    /**
     * The digit and its attributions as two 28×28 ASCII pictures side by side: pixels as {@code " .:+#"} by
     * brightness, attributions as {@link #SHADES} by their value over the largest magnitude (the middle, a space,
     * for none).
     *
     * @param pixels 784 values in [0, 1]
     * @param attributions 784 values
     * @return 28 lines
     */
    static String asciiPictures(double[] pixels, double[] attributions) {
        double max = maxAbs(attributions);
        String grey = " .:+#";
        int middle = SHADES.length() / 2;
        StringBuilder s = new StringBuilder();
        for (int r = 0; r < 28; r++) {
            for (int c = 0; c < 28; c++) {
                s.append(grey.charAt((int) Math.min(grey.length() - 1, Math.round(pixels[r * 28 + c] * (grey.length() - 1)))));
            }
            s.append("   ");
            for (int c = 0; c < 28; c++) {
                double v = max == 0 ? 0 : attributions[r * 28 + c] / max;
                s.append(SHADES.charAt(middle + (int) Math.round(v * middle)));
            }
            s.append('\n');
        }
        return s.toString();
    }

    /**
     * The digit and its attributions as an SVG picture: the digit in grey on the left, the attributions on the
     * right in red (for the class) and blue (against it), each colour's strength proportional to the value over
     * the largest magnitude.
     *
     * @param pixels 784 values in [0, 1]
     * @param attributions 784 values
     * @param label the digit's true class
     * @param predicted the class whose score is attributed
     * @return the SVG document
     */
    static String svg(double[] pixels, double[] attributions, int label, int predicted) {
        int cell = 8;
        int side = 28 * cell;
        int gap = 24;
        double max = maxAbs(attributions);
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\">%n", 2 * side + gap, side + 50, 2 * side + gap, side + 50));
        s.append(String.format(Locale.ROOT, "<text x=\"0\" y=\"16\" font-family=\"sans-serif\" font-size=\"13\">"
                + "digit (label %d)</text>%n", label));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"16\" font-family=\"sans-serif\" font-size=\"13\">"
                + "integrated gradients of z[%d]</text>%n", side + gap, predicted));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-family=\"sans-serif\" font-size=\"12\">"
                + "red: for class %d, blue: against it</text>%n", side + gap, side + 46, predicted));
        s.append(String.format(Locale.ROOT, "<rect x=\"0\" y=\"28\" width=\"%d\" height=\"%d\" fill=\"white\" "
                + "stroke=\"#999\"/>%n", side, side));
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"28\" width=\"%d\" height=\"%d\" fill=\"white\" "
                + "stroke=\"#999\"/>%n", side + gap, side, side));
        for (int r = 0; r < 28; r++) { //                                              white cells are left out
            for (int c = 0; c < 28; c++) {
                int g = 255 - (int) Math.round(255 * Math.max(0, Math.min(1, pixels[r * 28 + c])));
                if (g < 255) {
                    s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                            + "fill=\"rgb(%d,%d,%d)\"/>%n", c * cell, 28 + r * cell, cell, cell, g, g, g));
                }
                double v = max == 0 ? 0 : attributions[r * 28 + c] / max;
                int fade = 255 - (int) Math.round(255 * Math.min(1, Math.abs(v)));
                if (fade < 255) {
                    String fill = v > 0 ? "rgb(255," + fade + "," + fade + ")" : "rgb(" + fade + "," + fade + ",255)";
                    s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                            + "fill=\"%s\"/>%n", side + gap + c * cell, 28 + r * cell, cell, cell, fill));
                }
            }
        }
        return s.append("</svg>\n").toString();
    }

    private static double maxAbs(double[] values) {
        double max = 0;
        for (double v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }
}
