package io.github.backprop4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.train.Trainer;
import io.github.backprop4j.train.TrainingSnapshot;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 13, item 10: a checkpoint that lost optimizer buffers is refused instead of resuming differently. */
class CheckpointHardeningTest {

    @TempDir
    Path folder;

    @Test
    void aCheckpointWithoutAdamsSecondMomentsIsRefusedNamingTheBuffer() throws Exception {
        TestData data = TestData.twoClasses(16, 5);
        Network network = Network.builder().input(2).dense(3, Activation.TANH).dense(2, Activation.SOFTMAX).seed(2)
                .build();
        Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.adam(0.01)).epochs(2).batchSize(4).seed(1)
                .logging(false).listeners(Checkpoint.every(folder, 1)).build().fit(network, data);
        TrainingSnapshot full = Checkpoint.load(Checkpoint.file(folder));
        assertThat(full.optimizerState().slots()).containsKey("layer1.weights.exp_avg_sq");

        Map<String, Matrix> kept = new TreeMap<>(full.optimizerState().slots());
        kept.keySet().removeIf(name -> name.endsWith(".exp_avg_sq"));
        TrainingSnapshot damaged = new TrainingSnapshot(full.network(), OptimizerState.restore(kept,
                full.optimizerState().stepCount()), full.epoch(), full.seed(), full.history(), full.loss(),
                full.optimizer());
        Path file = folder.resolve("damaged.safetensors");
        Checkpoint.save(damaged, file);
        assertThatThrownBy(() -> Checkpoint.load(file)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("lacks the optimizer buffer \"optimizer.layer1.weights.exp_avg_sq\"")
                .hasMessageContaining("adam");

        // Before the first step no buffer exists yet, and none is required.
        TrainingSnapshot fresh = new TrainingSnapshot(full.network(), new OptimizerState(), 1, full.seed(),
                new io.github.backprop4j.train.History(full.history().epochs().subList(0, 1)), full.loss(),
                full.optimizer());
        Checkpoint.save(fresh, file);
        assertThat(Checkpoint.load(file).optimizerState().slots()).isEmpty();
    }
}
