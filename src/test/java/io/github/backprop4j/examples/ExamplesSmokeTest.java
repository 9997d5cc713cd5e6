package io.github.backprop4j.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs each example's {@code main} (with fewer epochs where it takes them) and checks what it prints. The
 * examples run under a German default locale, whose decimal mark is a comma, to show that they print with
 * {@link Locale#ROOT} as their output's readers (and docs/math.md) expect.
 */
class ExamplesSmokeTest {

    /** A decimal number as the examples print it: a point, never a comma. */
    private static final String NUMBER = "(-?[0-9]+\\.[0-9]+)";

    /** One printed line of XorExample, e.g. {@code "0 xor 1 -> 0.981"} (the decimal mark follows the locale). */
    private static final Pattern XOR_LINE = Pattern.compile("([01]) xor ([01]) -> ([0-9]+[.,][0-9]+)");

    @Test
    void xorExamplePrintsAllFourCasesCorrectly() {
        String output = captureStdout(() -> XorExample.main(new String[0]));

        Matcher m = XOR_LINE.matcher(output);
        int cases = 0;
        while (m.find()) {
            int x = Integer.parseInt(m.group(1));
            int y = Integer.parseInt(m.group(2));
            double predicted = Double.parseDouble(m.group(3).replace(',', '.'));
            boolean expected = (x ^ y) == 1;
            assertThat(predicted > 0.5).as("%s xor %s printed %s", x, y, predicted).isEqualTo(expected);
            cases++;
        }
        assertThat(cases).as("XOR lines in:%n%s", output).isEqualTo(4);
        assertThat(output).contains("final loss: ");
        assertThat(output.lines().toList()).hasSize(5);
        assertThat(List.of(output.split("\\R"))).first().asString().startsWith("0 xor 0 -> ");
    }

    @Test
    void mnistExamplePrintsItsTestAccuracyLast() {
        String output = captureStdout(() -> MnistExample.main(new String[] {"1"}));

        List<String> lines = output.lines().toList();
        String last = lines.get(lines.size() - 1);
        assertThat(last).matches("test accuracy: 0\\.\\d{4}");
        assertThat(Double.parseDouble(last.substring("test accuracy: ".length()))).as("after one epoch")
                .isGreaterThan(0.85);
    }

    @Test
    void irisExamplePrintsAConfusionMatrixAndItsAccuracyAndWritesItsReport(@TempDir Path reportDir)
            throws IOException {
        Path report = reportDir.resolve("iris-report.html");
        String output = captureStdout(() -> {
            try {
                IrisExample.main(new String[] {"50", report.toString()});
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });

        assertThat(output).contains("Confusion matrix of the 45 test irises");
        assertThat(output).containsPattern("(?m)^actual \\\\ predicted +setosa +versicolor +virginica");
        assertThat(output).containsPattern("(?m)^setosa +\\d+ +\\d+ +\\d+ ");
        assertThat(output).containsPattern("(?m)^virginica +\\d+ +\\d+ +\\d+ ");
        Matcher accuracy = Pattern.compile("(?m)^test accuracy: " + NUMBER + "$").matcher(output);
        assertThat(accuracy.find()).as("a test accuracy line in:%n%s", output).isTrue();
        assertThat(Double.parseDouble(accuracy.group(1))).isGreaterThan(0.8);
        assertThat(output).containsPattern("test ECE " + NUMBER + "; with temperature " + NUMBER + " fitted");
        assertThat(output).contains("training report written to " + report.toAbsolutePath());
        String html = java.nio.file.Files.readString(report);
        assertThat(html).contains("<h1>Iris: 4-16-3 classifier</h1>").contains("<th>setosa</th>")
                .contains("val_loss").contains("after temperature scaling");
    }

    @Test
    void sineRegressionExamplePrintsPredictionsAndSmallErrors() {
        String output = captureStdout(() -> SineRegressionExample.main(new String[] {"50"}));

        Matcher prediction = Pattern.compile("sin\\( *" + NUMBER + "\\) = +" + NUMBER + ", predicted +" + NUMBER)
                .matcher(output);
        int predictions = 0;
        while (prediction.find()) {
            double x = Double.parseDouble(prediction.group(1));
            assertThat(Double.parseDouble(prediction.group(2))).isCloseTo(Math.sin(x), within(5e-5));
            assertThat(Double.parseDouble(prediction.group(3))).as("prediction at %s", x)
                    .isCloseTo(Math.sin(x), within(0.3));
            predictions++;
        }
        assertThat(predictions).as("prediction lines in:%n%s", output).isEqualTo(5);
        Matcher errors = Pattern.compile("test mse: " + NUMBER + ", mae: " + NUMBER + ", r2: " + NUMBER)
                .matcher(output);
        assertThat(errors.find()).as("an error line in:%n%s", output).isTrue();
        assertThat(Double.parseDouble(errors.group(1))).isLessThan(0.05);
        assertThat(Double.parseDouble(errors.group(3))).isGreaterThan(0.9);
    }

    @Test
    void customOptimizerExampleTrainsIris() {
        String output = captureStdout(() -> CustomOptimizerExample.main(new String[] {"30"}));

        Matcher m = Pattern.compile("custom optimizer Trainer\\[.*SignMomentum.*30 epochs.*\\]: test accuracy "
                + NUMBER).matcher(output);
        assertThat(m.find()).as("the result line in:%n%s", output).isTrue();
        assertThat(Double.parseDouble(m.group(1))).isGreaterThan(0.8);
    }

    @Test
    void tabularWithEmbeddingsBeatsIndicesFedAsNumbers() {
        String output = captureStdout(() -> TabularWithEmbeddings.main(new String[0]));

        assertThat(output).contains("2000 training orders, 600 test orders");
        assertThat(output).containsPattern("(?m)^1 +embedding +identity +21 +250 +2 numeric, 12×6, 16×8, 10×5$");
        assertThat(output).containsPattern("(?m)^3 +layer_norm +relu ");
        assertThat(output).containsPattern("(?m)^4 +residual +relu ");
        assertThat(output).containsPattern("(?m)^4\\.f\\.1 +dense +identity ");
        double embeddings = printed(output, "test accuracy with embeddings: " + NUMBER);
        double indices = printed(output, "test accuracy with indices as numbers: " + NUMBER);
        assertThat(embeddings).isGreaterThan(0.85);
        assertThat(embeddings - indices).as("embeddings %s against indices %s", embeddings, indices)
                .isGreaterThan(0.05);
        // the generator's rule makes this order a "no" with probability about 0.83
        Matcher prediction = Pattern.compile("(?m)^a red dress for 49\\.90 EUR to Munich, delivered in 3 days: "
                + "returned = (no|yes) \\(p = " + NUMBER + "\\)$").matcher(output);
        assertThat(prediction.find()).as("a prediction line in:%n%s", output).isTrue();
        assertThat(prediction.group(1)).isEqualTo("no");
        assertThat(Double.parseDouble(prediction.group(2))).isBetween(0.5, 1.0);
    }

    @Test
    void biasUpdateWalkthroughPrintsTheHandCheckedValues() {
        String output = captureStdout(() -> BiasUpdateWalkthrough.main(new String[0]));

        // the classic 2-2-1 example (Mazur): worked by hand in docs/math.md
        assertThat(output).contains("a2 = [0.7513650696]");
        assertThat(output).contains("δ2 = [0.2769971233]");
        assertThat(output).containsPattern("(?m)^ +b \\[0\\.6000000000\\] → \\[0\\.4615014384\\]$");
        assertThat(output).contains("a1 = [0.5932699921, 0.5968843783]");
        assertThat(output).doesNotContainPattern("\\d,\\d{10}");
        assertThat(output).containsPattern("loss after the step: 0\\.48178\\d+");
    }

    /** The number in the first match of {@code pattern}, whose one group is {@link #NUMBER}. */
    private static double printed(String output, String pattern) {
        Matcher m = Pattern.compile("(?m)^" + pattern + "$").matcher(output);
        assertThat(m.find()).as("a line %s in:%n%s", pattern, output).isTrue();
        return Double.parseDouble(m.group(1));
    }

    /** Runs an example under a German default locale and returns what it printed to stdout. */
    private static String captureStdout(Runnable action) {
        PrintStream original = System.out;
        Locale originalLocale = Locale.getDefault();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        Locale.setDefault(Locale.GERMANY);
        try {
            action.run();
        } finally {
            Locale.setDefault(originalLocale);
            System.setOut(original);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
