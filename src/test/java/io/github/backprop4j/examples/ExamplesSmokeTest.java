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
                .contains("val_loss").contains("after temperature scaling")
                .contains("The first training step, explained").contains("class=\"explained-step\"");
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
    void learningRateRangeExamplePrintsASuggestionInItsRangeThatTrainsWell() throws IOException {
        String output = captureStdout(() -> {
            try {
                LearningRateRangeExample.main(new String[] {"20"});
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });

        Matcher suggestion = Pattern.compile("(?m)^suggested learning rate ([0-9.e+-]+) \\(the lowest smoothed loss")
                .matcher(output);
        assertThat(suggestion.find()).as("a suggestion in:%n%s", output).isTrue();
        assertThat(Double.parseDouble(suggestion.group(1))).isBetween(1e-4, 1e3);
        assertThat(output).containsPattern("(?m)^ +1 +1\\.000e-04 +\\d+\\.\\d{4} +\\d+\\.\\d{4}$");
        assertThat(output).as("the progress of the final training, one line per epoch").containsPattern(
                "(?m)^epoch 20/20: loss " + NUMBER + ", accuracy " + NUMBER);
        Matcher accuracy = Pattern.compile("(?m)^test accuracy at the suggested rate [0-9.e+-]+: " + NUMBER + "$")
                .matcher(output);
        assertThat(accuracy.find()).as("a test accuracy line in:%n%s", output).isTrue();
        assertThat(Double.parseDouble(accuracy.group(1))).isGreaterThan(0.85);
        Matcher chart = Pattern.compile("(?m)^range test chart written to (.+\\.svg)$").matcher(output);
        assertThat(chart.find()).as("the chart's path in:%n%s", output).isTrue();
        assertThat(java.nio.file.Files.readString(Path.of(chart.group(1)))).startsWith("<svg")
                .contains("learning-rate range test: suggested").contains("smoothed loss").contains("suggested rate");
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
        assertThat(output).containsPattern("(?m)^  0       0     1\\.1059059671  0\\.7513650696  0\\.2769971233$");
        assertThat(output).containsPattern("(?m)^  b2\\[0\\] +0\\.6000000000  0\\.2769971233  0\\.4615014384$");
        assertThat(output).containsPattern("(?m)^  0       0     0\\.3775000000  0\\.5932699921  0\\.0267358408$");
        assertThat(output).doesNotContainPattern("\\d,\\d{10}");
        assertThat(output).containsPattern("0\\.5496221664 before the step, 0\\.48178\\d+ after it");
    }

    @Test
    void explainDigitExamplePrintsTheStepAndAHeatMapWhoseAttributionsAddUp() throws java.io.IOException {
        String output = captureStdout(() -> ExplainDigitExample.main(new String[0]));

        assertThat(printed(output, "accuracy on 200 test digits after 3 epochs: " + NUMBER)).isGreaterThan(0.7);
        assertThat(output).contains("Explained step: Network[784 → 16 relu → 10 softmax")
                .contains("layer 1: dense 784 → 16, relu").contains("  … 12540 more entries of W1\n")
                .contains("  … 780 more units of sample 0\n");
        Matcher sums = Pattern.compile("(?m)^sum of the attributions " + NUMBER + ", f\\(x\\) − f\\(black\\) = "
                + NUMBER + " − \\(" + NUMBER + "\\) = " + NUMBER + "$").matcher(output);
        assertThat(sums.find()).as("the completeness line in:%n%s", output).isTrue();
        double sum = Double.parseDouble(sums.group(1));
        double delta = Double.parseDouble(sums.group(4));
        assertThat(delta).isPositive();
        assertThat(sum).isCloseTo(delta, within(0.01 * Math.abs(delta) + 1e-6));
        // the two 28×28 pictures: 28 lines of 28 + 3 + 28 characters, the digit drawn and attributions shown
        List<String> lines = output.lines().toList();
        int first = lines.indexOf(lines.stream().filter(l -> l.startsWith("digit (left)")).findFirst().orElseThrow())
                + 1;
        List<String> picture = lines.subList(first, first + 28);
        assertThat(picture).allSatisfy(l -> assertThat(l).hasSize(59));
        assertThat(String.join("", picture.stream().map(l -> l.substring(0, 28)).toList())).contains("#");
        assertThat(String.join("", picture.stream().map(l -> l.substring(31)).toList())).contains("#")
                .matches("[" + Pattern.quote(ExplainDigitExample.SHADES) + "]+");

        // docs/explain.md quotes this output: every line of its quoted blocks (but "...") is a line printed here
        String docs = java.nio.file.Files.readString(java.nio.file.Path.of("docs", "explain.md"), StandardCharsets.UTF_8);
        List<List<String>> blocks = new java.util.ArrayList<>();
        List<String> current = null;
        for (String line : docs.lines().toList()) {
            if (line.startsWith("```")) {
                current = current == null ? new java.util.ArrayList<>() : null;
                if (current != null) {
                    blocks.add(current);
                }
            } else if (current != null) {
                current.add(line);
            }
        }
        int quoted = 0;
        for (List<String> block : blocks) {
            String text = String.join("\n", block);
            if (text.contains("Network[784 → 16 relu → 10 softmax") || text.contains("first test digit")) {
                for (String line : block) {
                    if (!line.equals("...")) {
                        assertThat(lines).as("docs/explain.md's line in the example's output").contains(line);
                        quoted++;
                    }
                }
            }
        }
        assertThat(quoted).as("lines of docs/explain.md checked").isGreaterThan(60);
    }

    /** The intermediate values docs/math.md works out by hand that the explained step does not print. */
    private static final List<String> HAND_WORKED_ONLY = List.of(
            "1.4827301392", // ∂C/∂a2 = 2(a2 − y)
            "0.1868156018", // σ'(z2)
            "0.1107988493", "0.1246487055", // δ2·W2
            "0.2413007086", "0.2406134172"); // σ'(z1)

    @Test
    void docsMathHoldsExactlyWhatBiasUpdateWalkthroughPrints() throws java.io.IOException {
        String output = captureStdout(() -> BiasUpdateWalkthrough.main(new String[0]));
        String docs = java.nio.file.Files.readString(java.nio.file.Path.of("docs", "math.md"), StandardCharsets.UTF_8);

        int begin = docs.indexOf(BiasUpdateWalkthrough.BEGIN);
        int end = docs.indexOf(BiasUpdateWalkthrough.END);
        assertThat(begin).as("the begin marker in docs/math.md").isNotNegative();
        assertThat(end).as("the end marker in docs/math.md").isGreaterThan(begin);
        String block = docs.substring(begin, end + BiasUpdateWalkthrough.END.length()) + "\n";
        assertThat(block).as("docs/math.md between the markers; update it from the example's output")
                .isEqualTo(output);

        // every ten-decimal number in the hand-worked prose above the block is printed by the example
        String prose = docs.substring(docs.indexOf("## Worked example"), begin);
        Matcher number = Pattern.compile("-?\\d+\\.\\d{10}").matcher(prose);
        int checked = 0;
        while (number.find()) {
            String value = number.group();
            if (!HAND_WORKED_ONLY.contains(value)) {
                assertThat(output).as("docs/math.md's %s in the example's output", value).contains(value);
                checked++;
            }
        }
        assertThat(checked).as("numbers checked").isGreaterThan(20);
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
