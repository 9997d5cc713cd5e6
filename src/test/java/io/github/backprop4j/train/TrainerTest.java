package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.backprop4j.Activation;
import io.github.backprop4j.DenseLayer;
import io.github.backprop4j.Layer;
import io.github.backprop4j.Parameter;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.Batch;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.DataSource;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.LearningRateSchedule;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The training loop: reproducibility, equivalence with a hand-written loop, history, stopping, errors. */
class TrainerTest {

    /** 90 samples of 3 Gaussian blobs in 2-D: a small classification problem with 3 one-hot targets. */
    private static final DataSet BLOBS = blobs(90, 5);
    /** 60 samples of a noisy linear function of 3 inputs: a small regression problem with 1 target. */
    private static final DataSet LINEAR = linear(60, 9);

    private static DataSet blobs(int n, long seed) {
        double[][] centres = {{-2, 0}, {2, 0}, {0, 2.5}};
        SplittableRandom random = new SplittableRandom(seed);
        double[][] x = new double[n][2];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            x[i][0] = centres[labels[i]][0] + random.nextGaussian();
            x[i][1] = centres[labels[i]][1] + random.nextGaussian();
        }
        return DataSet.ofLabels(x, labels, 3);
    }

    private static DataSet linear(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] x = new double[n][3];
        double[][] y = new double[n][1];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) {
                x[i][j] = random.nextDouble(-1, 1);
            }
            y[i][0] = 0.5 * x[i][0] - 2 * x[i][1] + x[i][2] + 0.05 * random.nextGaussian();
        }
        return DataSet.of(x, y);
    }

    private static Network classifier(Precision precision) {
        return Network.builder().input(2).dense(8, Activation.TANH).dense(3, Activation.SOFTMAX)
                .precision(precision).seed(4).build();
    }

    private static Network regressor() {
        return Network.builder().input(3).dense(6, Activation.TANH).dense(1, Activation.IDENTITY).seed(5).build();
    }

    /** The usual classification configuration: SGD with momentum, batch 16, accuracy, silent. */
    private static Trainer.Builder classification() {
        return Trainer.builder()
                .loss(Loss.CROSS_ENTROPY)
                .optimizer(Optimizer.momentum(0.05, 0.9))
                .epochs(4)
                .batchSize(16)
                .metrics(Metrics.ACCURACY)
                .logging(false)
                .seed(17);
    }

    /** A copy that shares nothing with the original: every layer rebuilt from copied arrays. */
    private static Network independentCopy(Network network) {
        return Network.of(network.layers().stream().map(DenseLayer.class::cast)
                .map(l -> Layer.of(l.weights(), l.bias(), l.activation(), l.precision()))
                .toList());
    }

    /** Records every callback as a line, e.g. {@code "batchEnd 2.3"}. */
    private static final class Recorder implements TrainingListener {
        final List<String> calls = new ArrayList<>();
        final List<Network> epochNetworks = new ArrayList<>();

        @Override
        public void onTrainingStart(TrainingRun run) {
            calls.add("start");
        }

        @Override
        public void onEpochStart(TrainingRun run, int epoch) {
            calls.add("epochStart " + epoch);
        }

        @Override
        public void onBatchEnd(TrainingRun run, int epoch, int batch, double loss) {
            calls.add("batchEnd " + epoch + "." + batch);
        }

        @Override
        public void onEpochEnd(TrainingRun run, EpochSummary summary) {
            calls.add("epochEnd " + summary.epoch());
            epochNetworks.add(run.network());
        }

        @Override
        public void onTrainingEnd(TrainingRun run, TrainingResult result) {
            calls.add("end");
        }
    }

    // ------------------------------------------------------------------ reproducibility

    @ParameterizedTest
    @EnumSource(Precision.class)
    void sameSeedAndConfigurationGiveABitIdenticalNetwork(Precision precision) {
        Network start = classifier(precision);

        Network first = classification().dropout(1, 0.2).build().fit(start, BLOBS).network();
        Network second = classification().dropout(1, 0.2).build().fit(start, BLOBS).network();

        assertThat(first).isEqualTo(second).isNotEqualTo(start);
        assertThat(first.precision()).isEqualTo(precision);
    }

    @Test
    void anotherSeedGivesAnotherNetwork() {
        Network start = classifier(Precision.FLOAT64);

        Network seed17 = classification().build().fit(start, BLOBS).network();
        Network seed18 = classification().seed(18).build().fit(start, BLOBS).network();

        assertThat(seed17).isNotEqualTo(seed18);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void fitNeverChangesItsInputNetwork(Precision precision) {
        Network start = classifier(precision);
        Network copy = independentCopy(start);

        TrainingResult result = classification().dropout(0, 0.1).build().fit(start, BLOBS, blobs(30, 6));

        assertThat(start).isEqualTo(copy);
        assertThat(result.network()).isNotEqualTo(start);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void unshuffledFitEqualsTheHandWrittenLoopBitForBit(Precision precision) {
        Network start = classifier(precision);
        Optimizer optimizer = Optimizer.adam(0.01);
        int epochs = 3;
        int batchSize = 16; // 90 samples: five full batches and one of 10

        Network trained = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(optimizer).epochs(epochs)
                .batchSize(batchSize).shuffle(false).logging(false).seed(1).build().fit(start, BLOBS).network();

        Backpropagator backprop = new Backpropagator(Loss.CROSS_ENTROPY);
        OptimizerState state = new OptimizerState();
        Network manual = start;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            try (DataSource.Batches batches = BLOBS.batches(batchSize, precision, null)) {
                while (batches.hasNext()) {
                    Batch batch = batches.next();
                    Gradients g = backprop.gradients(ForwardPass.run(manual, batch.features()), batch.targets());
                    manual = backprop.apply(manual, g, optimizer, state);
                }
            }
        }

        assertThat(state.stepCount()).isEqualTo(epochs * 6L);
        assertThat(trained).isEqualTo(manual).isNotEqualTo(start);
    }

    // ------------------------------------------------------------------ history

    @Test
    void historyHasOneSummaryPerEpochWithEveryMeasurement() {
        DataSet validation = blobs(30, 6);
        Trainer trainer = classification().epochs(3).metrics(Metrics.MEAN_SQUARED_ERROR).build();

        TrainingResult result = trainer.fit(classifier(Precision.FLOAT64), BLOBS, validation);

        History history = result.history();
        assertThat(history.size()).isEqualTo(3);
        assertThat(history.names()).containsExactly("loss", "accuracy", "mse", "val_loss", "val_accuracy", "val_mse");
        for (int e = 0; e < 3; e++) {
            EpochSummary summary = history.epochs().get(e);
            assertThat(summary.epoch()).isEqualTo(e + 1);
            assertThat(summary.samples()).isEqualTo(BLOBS.size());
            assertThat(summary.duration()).isPositive();
            assertThat(summary.value("loss")).isPositive().isFinite();
            assertThat(summary.value("val_loss")).isPositive().isFinite();
            assertThat(summary.value("accuracy")).isBetween(0.0, 1.0);
            assertThat(summary.value("val_accuracy")).isBetween(0.0, 1.0);
            assertThat(summary.learningRate()).isEqualTo(0.05);
        }
        // the validation values are those of the network returned, evaluated after the last epoch
        assertThat(history.last().value("val_loss"))
                .isEqualTo(trainer.evaluate(result.network(), validation).get("loss"));
        assertThat(history.values("loss")[2]).isLessThan(history.values("loss")[0]);
        assertThat(result.stopReason()).isEqualTo("completed 3 epochs");
    }

    @Test
    void historyWithoutValidationHasNoValMeasurements() {
        TrainingResult result = classification().epochs(2).build().fit(classifier(Precision.FLOAT64), BLOBS);

        assertThat(result.history().names()).containsExactly("loss", "accuracy");
        assertThatIllegalArgumentException().isThrownBy(() -> result.history().last().value("val_loss"))
                .withMessageContaining("val_loss").withMessageContaining("[loss, accuracy]");
    }

    @Test
    void validationFractionHoldsOutThatShareOfTheSamples() {
        Trainer trainer = classification().epochs(2).validationFraction(0.2).build();

        TrainingResult result = trainer.fit(classifier(Precision.FLOAT64), BLOBS);

        assertThat(result.history().names()).contains("val_loss", "val_accuracy");
        for (EpochSummary summary : result.history().epochs()) {
            assertThat(summary.samples()).isEqualTo(72); // 90 − 18
            assertThat(summary.value("val_loss")).isFinite();
        }
    }

    @Test
    void validationFractionIsRefusedForDataThatCannotBeSplit() {
        Trainer trainer = classification().validationFraction(0.2).build();
        DataSource stream = new DataSource() {
            @Override
            public int featureCount() {
                return 2;
            }

            @Override
            public int targetCount() {
                return 3;
            }

            @Override
            public Batches batches(int batchSize, Precision precision, SplittableRandom shuffle) {
                return BLOBS.batches(batchSize, precision, shuffle);
            }
        };

        assertThatIllegalArgumentException().isThrownBy(() -> trainer.fit(classifier(Precision.FLOAT64), stream))
                .withMessageContaining("validationFraction").withMessageContaining("DataSet");
        assertThatIllegalArgumentException().isThrownBy(() -> classification().validationFraction(1))
                .withMessageContaining("validationFraction");
    }

    // ------------------------------------------------------------------ early stopping

    @Test
    void earlyStoppingStopsAfterPatienceAndRestoresTheBestEpoch() {
        Recorder recorder = new Recorder();
        Trainer trainer = classification().epochs(20).listeners(recorder)
                .earlyStopping(EarlyStopping.monitor("loss").patience(2).minDelta(1e9)).build();

        TrainingResult result = trainer.fit(classifier(Precision.FLOAT64), BLOBS);

        assertThat(result.history().size()).isEqualTo(3); // epoch 1 is the best; 2 and 3 do not improve by 1e9
        assertThat(recorder.epochNetworks).hasSize(3);
        assertThat(result.network()).isEqualTo(recorder.epochNetworks.get(0))
                .isNotEqualTo(recorder.epochNetworks.get(2));
        assertThat(result.stopReason()).contains("early stopping after epoch 3").contains("restored")
                .contains("epoch 1");
    }

    @Test
    void earlyStoppingWithoutRestoreReturnsTheLastNetwork() {
        Recorder recorder = new Recorder();
        Trainer trainer = classification().epochs(20).listeners(recorder)
                .earlyStopping(EarlyStopping.monitor("val_accuracy").patience(1).minDelta(1e9).restoreBest(false))
                .build();

        TrainingResult result = trainer.fit(classifier(Precision.FLOAT64), BLOBS, blobs(30, 6));

        assertThat(result.history().size()).isEqualTo(2);
        assertThat(result.network()).isEqualTo(recorder.epochNetworks.get(1))
                .isNotEqualTo(recorder.epochNetworks.get(0));
        assertThat(result.stopReason()).contains("early stopping").doesNotContain("restored");
    }

    @Test
    void earlyStoppingOnAnUnknownMeasurementNamesTheKnownOnes() {
        Trainer trainer = classification().earlyStopping(EarlyStopping.monitor("val_acuracy")).build();

        assertThatIllegalArgumentException()
                .isThrownBy(() -> trainer.fit(classifier(Precision.FLOAT64), BLOBS, blobs(30, 6)))
                .withMessageContaining("'val_acuracy'").withMessageContaining("[loss, accuracy]")
                .withMessageContaining("val_");
    }

    @Test
    void earlyStoppingOnAValidationMeasurementNeedsValidationData() {
        Trainer trainer = classification().earlyStopping(EarlyStopping.monitor("val_loss")).build();

        assertThatIllegalArgumentException().isThrownBy(() -> trainer.fit(classifier(Precision.FLOAT64), BLOBS))
                .withMessageContaining("'val_loss'").withMessageContaining("no validation data");
    }

    // ------------------------------------------------------------------ listeners and stopping

    @Test
    void listenersAreCalledInOrderWithEpochAndBatchNumbers() {
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        Trainer trainer = classification().epochs(2).batchSize(40).listeners(first, second).build();

        trainer.fit(classifier(Precision.FLOAT64), BLOBS); // 90 samples: batches of 40, 40 and 10

        assertThat(first.calls).containsExactly("start",
                "epochStart 1", "batchEnd 1.1", "batchEnd 1.2", "batchEnd 1.3", "epochEnd 1",
                "epochStart 2", "batchEnd 2.1", "batchEnd 2.2", "batchEnd 2.3", "epochEnd 2",
                "end");
        assertThat(second.calls).isEqualTo(first.calls);
    }

    @Test
    void listenersAreCalledOneAfterAnotherInTheOrderAdded() {
        List<String> calls = new ArrayList<>();
        TrainingListener a = new TrainingListener() {
            @Override
            public void onBatchEnd(TrainingRun run, int epoch, int batch, double loss) {
                calls.add("a" + batch);
            }
        };
        TrainingListener b = new TrainingListener() {
            @Override
            public void onBatchEnd(TrainingRun run, int epoch, int batch, double loss) {
                calls.add("b" + batch);
            }
        };

        classification().epochs(1).batchSize(45).listeners(a, b).build().fit(classifier(Precision.FLOAT64), BLOBS);

        assertThat(calls).containsExactly("a1", "b1", "a2", "b2");
    }

    @Test
    void requestStopMidEpochReturnsTheNetworkOfThatStep() {
        List<Network> atStop = new ArrayList<>();
        Recorder recorder = new Recorder();
        TrainingListener stopper = new TrainingListener() {
            @Override
            public void onBatchEnd(TrainingRun run, int epoch, int batch, double loss) {
                if (epoch == 2 && batch == 3) {
                    atStop.add(run.network());
                    run.requestStop("enough");
                }
            }
        };
        Trainer trainer = classification().epochs(5).listeners(recorder, stopper).build();

        TrainingResult result = trainer.fit(classifier(Precision.FLOAT64), BLOBS); // 6 batches an epoch

        assertThat(result.network()).isSameAs(atStop.get(0));
        assertThat(result.history().size()).isEqualTo(1);
        assertThat(recorder.calls).containsSubsequence("batchEnd 2.3", "end").doesNotContain("batchEnd 2.4",
                "epochEnd 2");
        assertThat(result.stopReason()).contains("stopped by request: enough").contains("epoch 2")
                .contains("step 9");
    }

    @Test
    void requestStopAtAnEpochsLastBatchKeepsThatEpoch() {
        TrainingListener stopper = new TrainingListener() {
            @Override
            public void onBatchEnd(TrainingRun run, int epoch, int batch, double loss) {
                if (epoch == 2 && batch == 6) {
                    run.requestStop(null);
                }
            }
        };

        TrainingResult result = classification().epochs(5).listeners(stopper).build()
                .fit(classifier(Precision.FLOAT64), BLOBS);

        assertThat(result.history().size()).isEqualTo(2);
        assertThat(result.stopReason()).contains("stopped by request").contains("after epoch 2");
    }

    @Test
    void interruptingTheTrainingThreadEndsFitCleanly() {
        Recorder recorder = new Recorder();
        TrainingListener interrupter = new TrainingListener() {
            @Override
            public void onBatchEnd(TrainingRun run, int epoch, int batch, double loss) {
                if (epoch == 2 && batch == 2) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        Trainer trainer = classification().epochs(5).listeners(recorder, interrupter).build();

        TrainingResult result;
        try {
            result = trainer.fit(classifier(Precision.FLOAT64), BLOBS);
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt flag stays set").isTrue();
        } finally {
            Thread.interrupted(); // clear the flag for the tests that follow
        }

        assertThat(result.history().size()).isEqualTo(1);
        assertThat(result.network()).isNotEqualTo(recorder.epochNetworks.get(0));
        assertThat(recorder.calls).endsWith("batchEnd 2.2", "end");
        assertThat(result.stopReason()).contains("interrupted").contains("epoch 2").contains("step 8");
    }

    // ------------------------------------------------------------------ divergence, schedules, clipping

    @Test
    void aHugeLearningRateMakesFitThrowWithTheLastFiniteNetwork() {
        Trainer trainer = Trainer.builder().loss(Loss.MSE).optimizer(Optimizer.sgd(1e6)).epochs(50).batchSize(10)
                .logging(false).seed(2).build();

        assertThatThrownBy(() -> trainer.fit(regressor(), LINEAR))
                .isInstanceOfSatisfying(TrainingDivergedException.class, e -> {
                    assertThat(e.getMessage()).contains("epoch " + e.epoch()).contains("batch " + e.batch());
                    assertThat(e.epoch()).isGreaterThanOrEqualTo(1);
                    assertThat(e.batch()).isBetween(1, 6);
                    for (Layer layer : e.lastFiniteNetwork().layers()) {
                        for (Parameter p : layer.parameters()) {
                            assertThat(p.value().firstNonFinite()).isNull();
                        }
                    }
                    assertThat(e.lastFiniteNetwork()).isNotEqualTo(regressor());
                });
    }

    @Test
    void theLearningRateScheduleShowsInEachEpochSummary() {
        Trainer trainer = Trainer.builder().loss(Loss.MSE).optimizer(Optimizer.sgd(0.1)).epochs(5).batchSize(20)
                .learningRateSchedule(LearningRateSchedule.stepDecay(2, 0.5)).logging(false).seed(2).build();

        double[] rates = trainer.fit(regressor(), LINEAR).history().epochs().stream()
                .mapToDouble(EpochSummary::learningRate).toArray();

        assertThat(rates).containsExactly(0.1, 0.1, 0.05, 0.05, 0.025);
    }

    @Test
    void aScheduleChangesTrainingComparedWithAConstantRate() {
        Trainer.Builder builder = Trainer.builder().loss(Loss.MSE).optimizer(Optimizer.sgd(0.1)).epochs(3)
                .batchSize(20).logging(false).seed(2);

        Network constant = builder.build().fit(regressor(), LINEAR).network();
        Network decayed = builder.learningRateSchedule(LearningRateSchedule.exponential(0.5)).build()
                .fit(regressor(), LINEAR).network();

        assertThat(decayed).isNotEqualTo(constant);
    }

    @Test
    void clippingTheGradientNormChangesTrainingAndStaysReproducible() {
        Trainer.Builder builder = Trainer.builder().loss(Loss.MSE).optimizer(Optimizer.sgd(0.1)).epochs(3)
                .batchSize(20).logging(false).seed(2);
        // the first batch's gradient norm, so that a quarter of it certainly clips
        double norm = new Backpropagator(Loss.MSE).gradients(regressor(), LINEAR.head(20).featuresAsArray(),
                LINEAR.head(20).targetsAsArray()).globalNorm();
        assertThat(norm).isGreaterThan(0);

        Network unclipped = builder.build().fit(regressor(), LINEAR).network();
        Network clipped = builder.clipGradientNorm(norm / 4).build().fit(regressor(), LINEAR).network();
        Network again = builder.build().fit(regressor(), LINEAR).network();
        Network looselyClipped = Trainer.builder().loss(Loss.MSE).optimizer(Optimizer.sgd(0.1)).epochs(3)
                .batchSize(20).logging(false).seed(2).clipGradientNorm(1e9).build().fit(regressor(), LINEAR)
                .network();

        assertThat(clipped).isNotEqualTo(unclipped).isEqualTo(again);
        assertThat(looselyClipped).as("a norm never reached changes nothing").isEqualTo(unclipped);
        assertThatIllegalArgumentException().isThrownBy(() -> Trainer.builder().clipGradientNorm(0))
                .withMessageContaining("maxNorm");
    }

    // ------------------------------------------------------------------ configuration errors

    @Test
    void dataOfTheWrongWidthNamesBothSizes() {
        Trainer trainer = classification().build();
        Network fiveInputs = Network.builder().input(5).dense(3, Activation.SOFTMAX).seed(1).build();
        Network fourOutputs = Network.builder().input(2).dense(4, Activation.SOFTMAX).seed(1).build();

        assertThatIllegalArgumentException().isThrownBy(() -> trainer.fit(fiveInputs, BLOBS))
                .withMessageContaining("training: the number of features is 2")
                .withMessageContaining("input size of layer 1 is 5");
        assertThatIllegalArgumentException().isThrownBy(() -> trainer.fit(fourOutputs, BLOBS))
                .withMessageContaining("training: the number of targets is 3")
                .withMessageContaining("is 4");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> trainer.fit(classifier(Precision.FLOAT64), BLOBS, LINEAR))
                .withMessageContaining("validation: the number of features is 3")
                .withMessageContaining("is 2");
    }

    @Test
    void aBuilderWithoutLossOrOptimizerSaysWhatIsMissing() {
        assertThatIllegalStateException().isThrownBy(() -> Trainer.builder().optimizer(Optimizer.sgd(0.1)).build())
                .withMessageContaining("loss");
        assertThatIllegalStateException().isThrownBy(() -> Trainer.builder().loss(Loss.MSE).build())
                .withMessageContaining("optimizer");
    }

    @Test
    void aMetricNameMayBeMeasuredOnlyOnce() {
        Trainer.Builder builder = Trainer.builder().metrics(Metrics.ACCURACY);

        assertThatIllegalArgumentException().isThrownBy(() -> builder.metrics(Metrics.ACCURACY))
                .withMessageContaining("'accuracy'");
        Metric namedLoss = new Metric() {
            @Override
            public String name() {
                return "loss";
            }

            @Override
            public boolean higherIsBetter() {
                return false;
            }

            @Override
            public Accumulator newAccumulator() {
                return Metrics.MEAN_SQUARED_ERROR.newAccumulator();
            }
        };
        assertThatIllegalArgumentException().isThrownBy(() -> Trainer.builder().metrics(namedLoss))
                .withMessageContaining("'loss'");
    }

    @Test
    void evaluateMatchesTheLossOfTheWholeDataSet() {
        Trainer trainer = classification().batchSize(7).build();
        Network network = classifier(Precision.FLOAT64);
        ForwardPass pass = ForwardPass.run(network, BLOBS.features());

        double loss = trainer.evaluate(network, BLOBS).get("loss");

        assertThat(loss).isCloseTo(Loss.CROSS_ENTROPY.value(pass.weightedSums(2), pass.output(), BLOBS.targets()),
                within(1e-12));
    }
}
