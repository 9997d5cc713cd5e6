package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.Batch;
import io.github.backprop4j.data.DataSource;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The training session reuses buffers and updates parameters in place, yet must give the same bits as the
 * public path: {@link Trainer#fit} against a hand-written loop of {@link Backpropagator} calls on the same
 * batches, in both precisions, with a last batch of another size.
 */
class TrainingSessionTest {

    /** 3 classes, 11 samples: batches of 4, 4 and 3. */
    private static final int SAMPLES = 11;

    private static List<Batch> batches(Precision precision) {
        SplittableRandom random = new SplittableRandom(3);
        double[][] x = new double[SAMPLES][5];
        double[][] y = new double[SAMPLES][3];
        for (int i = 0; i < SAMPLES; i++) {
            for (int c = 0; c < 5; c++) {
                x[i][c] = random.nextDouble(-1, 1);
            }
            y[i][random.nextInt(3)] = 1;
        }
        List<Batch> batches = new ArrayList<>();
        for (int from = 0; from < SAMPLES; from += 4) {
            int to = Math.min(SAMPLES, from + 4);
            batches.add(new Batch(Matrix.of(precision, java.util.Arrays.copyOfRange(x, from, to), "x"),
                    Matrix.of(precision, java.util.Arrays.copyOfRange(y, from, to), "y")));
        }
        return batches;
    }

    /** The same batches every epoch, in order. */
    private static DataSource source(List<Batch> batches) {
        return new DataSource() {
            @Override
            public int featureCount() {
                return 5;
            }

            @Override
            public int targetCount() {
                return 3;
            }

            @Override
            public Batches batches(int batchSize, Precision precision, SplittableRandom shuffle) {
                Iterator<Batch> it = batches.iterator();
                return new Batches() {
                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public Batch next() {
                        return it.next();
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        };
    }

    private static Network network(Precision precision) {
        return Network.builder().input(5).dense(7, Activation.TANH).dense(6, Activation.RELU)
                .dense(3, Activation.SOFTMAX).seed(11).precision(precision).build();
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void fitGivesTheBitsOfAManualLoopOfSteps(Precision precision) {
        List<Batch> batches = batches(precision);
        Optimizer sgd = Optimizer.sgd(0.3);
        Trainer trainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(sgd).epochs(3).batchSize(4)
                .shuffle(false).logging(false).seed(1).build();
        Network trained = trainer.fit(network(precision), source(batches)).network();

        Backpropagator backprop = new Backpropagator(Loss.CROSS_ENTROPY);
        OptimizerState state = new OptimizerState();
        Network manual = network(precision);
        for (int epoch = 1; epoch <= 3; epoch++) {
            for (Batch batch : batches) {
                manual = backprop.step(manual, batch.features(), batch.targets(), sgd, state);
            }
        }
        assertThat(trained).isEqualTo(manual);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void dropoutClippingAndMomentumGiveTheBitsOfThePublicPath(Precision precision) {
        List<Batch> batches = batches(precision);
        Optimizer momentum = Optimizer.momentum(0.2, 0.9);
        Trainer trainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(momentum).epochs(2).batchSize(4)
                .shuffle(false).logging(false).seed(5).dropout(1, 0.3).dropout(2, 0.2).clipGradientNorm(0.5)
                .build();
        Network trained = trainer.fit(network(precision), source(batches)).network();

        Backpropagator backprop = new Backpropagator(Loss.CROSS_ENTROPY);
        OptimizerState state = new OptimizerState();
        Dropout dropout = Dropout.none().with(1, 0.3).with(2, 0.2);
        Network manual = network(precision);
        for (int epoch = 1; epoch <= 2; epoch++) {
            SplittableRandom epochRandom = Trainer.epochRandom(5, epoch);
            epochRandom.split(); // shuffling
            SplittableRandom dropoutRandom = epochRandom.split();
            for (Batch batch : batches) {
                ForwardPass pass = ForwardPass.run(manual, batch.features(), dropout, dropoutRandom);
                Gradients g = backprop.gradients(pass, batch.targets()).clippedByGlobalNorm(0.5);
                manual = backprop.apply(manual, g, momentum, state);
            }
        }
        assertThat(trained).isEqualTo(manual);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void anInterruptedTrainingThreadStopsCleanlyAndKeepsItsFlag(Precision precision) {
        Network start = network(precision);
        Trainer trainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.sgd(0.3)).epochs(3)
                .batchSize(4).shuffle(false).logging(false).seed(1).build();
        Thread.currentThread().interrupt();
        try {
            TrainingResult result = trainer.fit(start, source(batches(precision)));
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
            assertThat(result.network()).isEqualTo(start);
            assertThat(result.stopReason()).startsWith("interrupted during epoch 1");
        } finally {
            Thread.interrupted();
        }
    }
}
