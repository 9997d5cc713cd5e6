package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.Parameter;
import io.github.backprop4j.data.Batch;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.golden.GoldenCase;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.optim.LearningRateSchedule;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ExplainedStep} holds exactly what the readable path computes, its network after the step is the one a
 * one-step {@link Trainer#fit} returns, bit for bit, and it prints and renders every layer kind.
 */
class ExplainedStepTest {

    static List<String> goldenCases() {
        return GoldenCase.FILES;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenCases")
    void valuesAreTheReadablePathsAndTheAfterNetworkIsOneStepOfFit(String file) {
        GoldenCase c = GoldenCase.load(file);
        Network network = c.network(Precision.FLOAT64);
        Loss loss = c.lossFunction();
        Optimizer adam = Optimizer.adam(0.01);

        ExplainedStep step = ExplainedStep.of(network, c.input(), c.target(), loss, adam);

        ForwardPass pass = ForwardPass.run(network, c.input());
        Backpropagator backprop = new Backpropagator(loss);
        Gradients gradients = backprop.gradients(pass, c.target());
        assertThat(step.lossBefore()).isEqualTo(gradients.loss());
        assertThat(step.activations(0)).isEqualTo(pass.input());
        for (int l = 1; l <= network.layerCount(); l++) {
            assertThat(step.weightedSums(l)).as("z%d", l).isEqualTo(pass.weightedSums(l));
            assertThat(step.activations(l)).as("a%d", l).isEqualTo(pass.activations(l));
            assertThat(step.errorSignal(l)).as("δ%d", l).isEqualTo(gradients.errorSignal(l));
            assertThat(values(step.parameterGradients(l))).as("∂C/∂θ of layer %d", l)
                    .isEqualTo(values(gradients.parameterGradients(l)));
            assertThat(values(step.parametersBefore(l))).isEqualTo(values(network.layer(l).parameters()));
        }
        // and the golden values themselves, for one quantity: δ of the last layer
        double[][] want = c.delta().get(c.delta().size() - 1);
        Matrix delta = step.errorSignal(network.layerCount());
        for (int r = 0; r < want.length; r++) {
            for (int k = 0; k < want[r].length; k++) {
                assertThat(delta.get(r, k)).isCloseTo(want[r][k],
                        org.assertj.core.api.Assertions.within(1e-10 * Math.abs(want[r][k]) + 1e-13));
            }
        }

        Network applied = backprop.apply(network, gradients, adam, new OptimizerState());
        Network fitted = Trainer.builder().loss(loss).optimizer(adam).epochs(1).batchSize(c.input().length)
                .shuffle(false).logging(false).seed(1).build()
                .fit(network, DataSet.of(c.input(), c.target())).network();
        assertThat(step.networkAfter()).as("the optimizer applied").isEqualTo(applied);
        assertThat(step.networkAfter()).as("one step of Trainer.fit, bit for bit").isEqualTo(fitted);
        assertThat(step.lossAfter()).isEqualTo(backprop.gradients(step.networkAfter(), c.input(), c.target()).loss());
        assertThat(step.networkBefore()).isSameAs(network);
        assertThat(step.learningRate()).isEqualTo(0.01);
    }

    @Test
    void theTrainerFormUsesItsScheduleAndClippingAsFitDoes() {
        GoldenCase c = GoldenCase.load("relu-softmax-ce");
        Network network = c.network(Precision.FLOAT64);
        DataSet data = DataSet.of(c.input(), c.target());
        Trainer trainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.momentum(0.3, 0.9))
                .learningRateSchedule(LearningRateSchedule.exponential(0.5)).clipGradientNorm(0.05).epochs(1)
                .batchSize(data.size()).shuffle(false).logging(false).seed(3).build();

        ExplainedStep step = ExplainedStep.of(trainer, network, new Batch(data.features(), data.targets()));

        assertThat(step.networkAfter()).isEqualTo(trainer.fit(network, data).network());
        assertThat(step.learningRate()).isEqualTo(LearningRateSchedule.exponential(0.5).learningRate(0.3, 1, 1));
        assertThat(step.gradients().globalNorm()).isLessThanOrEqualTo(0.05 + 1e-15);
        assertThat(step.toText()).contains("gradients clipped to global norm 0.0500000000");
    }

    @Test
    void aTrainerWithDropoutIsRefused() {
        GoldenCase c = GoldenCase.load("relu-softmax-ce");
        Trainer trainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.sgd(0.1)).dropout(1, 0.5)
                .logging(false).build();
        DataSet data = DataSet.of(c.input(), c.target());
        assertThatThrownBy(() -> ExplainedStep.of(trainer, c.network(Precision.FLOAT64),
                new Batch(data.features(), data.targets())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trainer").hasMessageContaining(
                        "dropout");
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void everyLayerKindPrintsAndRendersItsParametersByName(Precision precision) {
        Network network = LayerPropertiesTest.allKinds(precision, 5);
        ExplainedStep step = ExplainedStep.of(network, LayerPropertiesTest.inputs(precision, 8, 6),
                LayerPropertiesTest.targets(precision, 8, 7), Loss.CROSS_ENTROPY, Optimizer.sgd(0.1));

        String text = step.toText();
        for (int l = 1; l <= network.layerCount(); l++) {
            assertThat(text).contains("layer " + l + ": " + network.layer(l).kind());
            for (Parameter p : network.layer(l).parameters()) {
                if (!network.layer(l).kind().equals("dense")) {
                    assertThat(text).as("layer %d parameter %s", l, p.name()).contains("  " + p.name() + "[");
                }
            }
        }
        assertThat(text).contains("tables.1.weight[0][0]").contains("f.0.weight[0][0]");
        String html = step.toHtml();
        assertThat(html).startsWith("<section class=\"explained-step\">").endsWith("</section>\n")
                .contains("<td>f.0.weight[0][0]</td>").doesNotContain("<script");
    }

    @Test
    void bigLayersAreTruncatedByTheDocumentedRule() {
        Network network = Network.builder().input(30).dense(12, Activation.TANH).dense(3, Activation.SOFTMAX).seed(2)
                .build();
        double[][] x = new double[10][30];
        double[][] y = new double[10][3];
        for (int n = 0; n < 10; n++) {
            x[n][n] = 1;
            y[n][n % 3] = 1;
        }
        ExplainedStep step = ExplainedStep.of(network, x, y, Loss.CROSS_ENTROPY, Optimizer.sgd(0.1));

        String text = step.toText(4);
        assertThat(text).contains("  … 26 more units of sample 0\n").contains("  … 6 more samples\n")
                .contains("  … 356 more entries of W1\n").contains("  … 8 more entries of b1\n")
                .contains("  … 32 more entries of W2\n");
        // the input table: 4 samples × 4 units, each followed by the note of what is left out
        Matcher rows = Pattern.compile("(?m)^  \\d +\\d +-?\\d+\\.\\d{10}$").matcher(text);
        int inputRows = 0;
        while (rows.find()) {
            inputRows++;
        }
        assertThat(inputRows).isEqualTo(16);
        assertThat(step.toText()).contains("… 22 more units of sample 0").contains("… 2 more samples");
        assertThat(step.toHtml(4)).contains("<td colspan=\"3\">… 26 more units of sample 0</td>");
        assertThatThrownBy(() -> step.toText(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limit").hasMessageContaining("0");
    }

    @Test
    void columnsAreAlignedAndHtmlIsEscaped() {
        GoldenCase c = GoldenCase.load("tanh-identity-mse");
        ExplainedStep step = ExplainedStep.of(c.network(Precision.FLOAT64), c.input(), c.target(), c.lossFunction(),
                Optimizer.sgd(0.1));
        // every row of a parameter table ends at the same column as its header
        String[] lines = step.toText().split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("  parameter ")) {
                int width = lines[i].length();
                for (int j = i + 1; j < lines.length && lines[j].matches("  [Wb]\\d.*"); j++) {
                    assertThat(lines[j]).as("line %d", j).hasSize(width);
                }
            }
        }
        assertThat(ExplainedStep.escape("<a href='x'>\"&\"</a>"))
                .isEqualTo("&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;");
        assertThat(step.toHtml()).doesNotContain("→ <").contains("<th>∂C/∂θ</th>");
        assertThat(ExplainedStep.number(1e-9)).isEqualTo("1.000000e-09");
        assertThat(ExplainedStep.number(-0.25)).isEqualTo("-0.2500000000");
    }

    private static List<Matrix> values(List<Parameter> parameters) {
        return parameters.stream().map(Parameter::value).toList();
    }
}
