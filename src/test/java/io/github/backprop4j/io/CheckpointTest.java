package io.github.backprop4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.train.EpochSummary;
import io.github.backprop4j.train.History;
import io.github.backprop4j.train.Trainer;
import io.github.backprop4j.train.TrainingListener;
import io.github.backprop4j.train.TrainingResult;
import io.github.backprop4j.train.TrainingRun;
import io.github.backprop4j.train.TrainingSnapshot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    @TempDir
    Path folder;

    private static final TestData TRAINING = TestData.twoClasses(22, 11);
    private static final TestData VALIDATION = TestData.twoClasses(8, 12);

    private static Network network(Precision precision) {
        return Network.builder().input(2).dense(6, TestComponents.SOFTSIGN).dense(4, Activation.leakyRelu(0.1))
                .dense(2, Activation.SOFTMAX).precision(precision).seed(3).build();
    }

    private static Trainer.Builder trainer(Optimizer optimizer, TrainingListener... listeners) {
        return Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(optimizer).epochs(6).batchSize(4).seed(99)
                .dropout(1, 0.25).logging(false).listeners(listeners);
    }

    /** Fails at the end of an epoch, as a process killed there would. */
    private static TrainingListener crashAfter(int epoch) {
        return new TrainingListener() {
            @Override
            public void onEpochEnd(TrainingRun run, EpochSummary summary) {
                if (summary.epoch() == epoch) {
                    throw new IllegalStateException("crash");
                }
            }
        };
    }

    private static List<Map<String, Double>> values(History history) {
        return history.epochs().stream().map(EpochSummary::values).toList();
    }

    @Test
    void resumingFromACheckpointIsBitIdenticalToTrainingWithoutInterruption() throws IOException {
        for (Precision precision : Precision.values()) {
            for (Optimizer optimizer : List.of(new TestComponents.Momentum(0.1, 0.9),
                    Optimizer.sgd(0.2).withWeightDecay(0.01), Optimizer.adam(0.01), Optimizer.adamW(0.01, 0.1))) {
                TrainingResult straight = trainer(optimizer).build().fit(network(precision), TRAINING, VALIDATION);

                Path dir = folder.resolve(precision + "-" + optimizer.getClass().getSimpleName());
                Trainer crashing = trainer(optimizer, Checkpoint.every(dir, 2), crashAfter(5)).build();
                assertThatThrownBy(() -> crashing.fit(network(precision), TRAINING, VALIDATION)).hasMessage("crash");
                TrainingSnapshot checkpoint = Checkpoint.load(Checkpoint.file(dir));
                assertThat(checkpoint.epoch()).isEqualTo(4);

                TrainingResult resumed = trainer(optimizer).build().resume(checkpoint, TRAINING, VALIDATION);
                assertThat(resumed.network()).as("%s %s", precision, optimizer).isEqualTo(straight.network());
                assertThat(values(resumed.history())).isEqualTo(values(straight.history()));
            }
        }
    }

    /** Two numeric columns, then category indices of 5 and 4 values; 22 samples, so batches of 4 end in one of 2. */
    private static TestData withCategories(int n, long seed) {
        TestData plain = TestData.twoClasses(n, seed);
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed + 1);
        double[][] x = new double[n][];
        for (int i = 0; i < n; i++) {
            x[i] = new double[] {plain.features()[i][0], plain.features()[i][1], random.nextInt(5), random.nextInt(4)};
        }
        return new TestData(x, plain.targets());
    }

    /** Embedding, batch normalization (one inside a residual block), residual blocks and layer normalization. */
    private static Network everyKind(Precision precision) {
        return Network.builder().input(2).categorical(5, 3).categorical(4, 2).dense(6, Activation.TANH)
                .batchNorm(Activation.RELU).residual(Activation.RELU, b -> b.dense(5, Activation.TANH).dense(6)
                        .batchNorm())
                .layerNorm(Activation.leakyRelu(0.1)).dense(2, Activation.SOFTMAX).precision(precision).seed(3)
                .build();
    }

    @Test
    void resumingANetworkOfEveryKindIsBitIdenticalToTrainingWithoutInterruption() throws IOException {
        TestData training = withCategories(22, 11);
        TestData validation = withCategories(8, 12);
        for (Precision precision : Precision.values()) {
            for (Optimizer optimizer : List.of(Optimizer.adam(0.01), new TestComponents.Momentum(0.1, 0.9))) {
                TrainingResult straight = trainer(optimizer).dropout(2, 0.25).build().fit(everyKind(precision),
                        training, validation);

                Path dir = folder.resolve("kinds-" + precision + "-" + optimizer.getClass().getSimpleName());
                Trainer crashing = trainer(optimizer, Checkpoint.every(dir, 2), crashAfter(5)).dropout(2, 0.25)
                        .build();
                assertThatThrownBy(() -> crashing.fit(everyKind(precision), training, validation))
                        .hasMessage("crash");
                TrainingSnapshot checkpoint = Checkpoint.load(Checkpoint.file(dir));
                assertThat(checkpoint.epoch()).isEqualTo(4);
                assertThat(checkpoint.optimizerState().slots()).containsKeys("layer1.tables.1.embedding." + (optimizer
                        instanceof TestComponents.Momentum ? "velocity" : "exp_avg"));
                assertThat(checkpoint.optimizerState().slots().keySet()).anyMatch(k -> k.startsWith("layer4.f.2.scale."))
                        .anyMatch(k -> k.startsWith("layer5.shift."));
                io.github.backprop4j.BatchNorm norm = (io.github.backprop4j.BatchNorm) checkpoint.network().layer(3);
                assertThat(norm.numBatchesTracked()).isEqualTo(4 * 6); // 6 batches per epoch

                TrainingResult resumed = trainer(optimizer).dropout(2, 0.25).build().resume(checkpoint, training,
                        validation);
                assertThat(resumed.network()).as("%s %s", precision, optimizer).isEqualTo(straight.network());
                assertThat(values(resumed.history())).isEqualTo(values(straight.history()));
            }
        }
    }

    /**
     * {@code checkpoint-v1-float32.safetensors} was written by {@code Checkpoint.every} before the layer kinds (two
     * epochs of Adam, batches of 4, on 12 samples of {@link TestData#twoClasses} drawn with seed 3, network
     * {@code input(2).dense(3, TANH).dense(2, SOFTMAX)}, float32, seed 4): it still loads, saves back to the same
     * bytes and resumes.
     */
    @Test
    void aCheckpointSavedBeforeTheLayerKindsStillLoadsAndResumes() throws IOException {
        byte[] original = LayerKindsModelFileTest.resource("/io/checkpoint-v1-float32.safetensors");
        TrainingSnapshot old = Checkpoint.load(new ByteArrayInputStream(original));
        assertThat(old.epoch()).isEqualTo(2);
        assertThat(old.optimizerState().stepCount()).isEqualTo(6);
        assertThat(old.optimizerState().slots()).containsOnlyKeys("layer1.weights.exp_avg",
                "layer1.weights.exp_avg_sq", "layer1.bias.exp_avg", "layer1.bias.exp_avg_sq", "layer2.weights.exp_avg",
                "layer2.weights.exp_avg_sq", "layer2.bias.exp_avg", "layer2.bias.exp_avg_sq");
        assertThat(old.optimizer()).isEqualTo(Optimizer.adam(0.01));
        assertThat(old.network().precision()).isEqualTo(Precision.FLOAT32);
        if (ModelFile.libraryVersion().equals("development")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Checkpoint.save(old, out);
            assertThat(out.toByteArray()).isEqualTo(original);
        }
        TrainingResult resumed = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.adam(0.01)).epochs(3)
                .batchSize(4).seed(1).logging(false).build().resume(old, TestData.twoClasses(12, 3), null);
        assertThat(resumed.history().epochs()).hasSize(3);
        assertThat(resumed.network()).isNotEqualTo(old.network());
    }

    @Test
    void theLastCheckpointHoldsTheEndOfTraining() throws IOException {
        TrainingResult result = trainer(Optimizer.sgd(0.1), Checkpoint.every(folder, 4)).build()
                .fit(network(Precision.FLOAT64), TRAINING, null);
        TrainingSnapshot last = Checkpoint.load(Checkpoint.file(folder));
        assertThat(last.epoch()).isEqualTo(6);
        assertThat(last.network()).isEqualTo(result.network());
        assertThat(values(last.history())).isEqualTo(values(result.history()));
    }

    @Test
    void aSnapshotRoundTripsExactly() throws IOException {
        TrainingSnapshot[] taken = new TrainingSnapshot[1];
        TrainingListener grab = new TrainingListener() {
            @Override
            public void onEpochEnd(TrainingRun run, EpochSummary summary) {
                taken[0] = run.snapshot().orElseThrow();
            }
        };
        trainer(new TestComponents.Momentum(0.05, 0.5), grab).epochs(3).build().fit(network(Precision.FLOAT32),
                TRAINING, VALIDATION);
        TrainingSnapshot s = taken[0];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Checkpoint.save(s, out);
        TrainingSnapshot back = Checkpoint.load(new ByteArrayInputStream(out.toByteArray()));
        assertThat(back.network()).isEqualTo(s.network());
        assertThat(back.optimizerState().slots()).isEqualTo(s.optimizerState().slots()).isNotEmpty();
        assertThat(back.optimizerState().stepCount()).isEqualTo(s.optimizerState().stepCount());
        assertThat(back.epoch()).isEqualTo(3);
        assertThat(back.seed()).isEqualTo(99);
        assertThat(back.history()).isEqualTo(s.history());
        assertThat(back.loss()).isEqualTo(Loss.CROSS_ENTROPY);
        assertThat(back.optimizer()).isEqualTo(new TestComponents.Momentum(0.05, 0.5));

        byte[] unknown = ModelFileTest.editHeader(out.toByteArray(),
                h -> h.replace("\"test_momentum\"", "\"test_momentux\""));
        assertThatThrownBy(() -> Checkpoint.load(new ByteArrayInputStream(unknown)))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("unknown optimizer 'test_momentux'");
        String header = new String(out.toByteArray(), StandardCharsets.ISO_8859_1);
        assertThat(header).contains("\"optimizer.layer1.bias.velocity\":{\"dtype\":\"F32\",\"shape\":[6]");
    }

    @Test
    void aModelFileIsNotACheckpointAndBackwards() throws IOException {
        byte[] model = ModelFileTest.bytesOf(network(Precision.FLOAT64));
        assertThatThrownBy(() -> Checkpoint.load(new ByteArrayInputStream(model)))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("not a checkpoint");
    }

    @Test
    void unregisteredOptimizersCannotBeCheckpointed() {
        Optimizer anonymous = new Optimizer() {
            @Override
            public double learningRate() {
                return 0.1;
            }

            @Override
            public void update(io.github.backprop4j.math.Matrix p, io.github.backprop4j.math.Matrix g, double eta,
                    io.github.backprop4j.optim.ParameterState state) {
                p.addScaled(-eta, g);
            }
        };
        Trainer trainer = trainer(anonymous, Checkpoint.every(folder, 1)).build();
        assertThatThrownBy(() -> trainer.fit(network(Precision.FLOAT64), TRAINING, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("registerOptimizer");
    }
}
