package io.github.backprop4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.io.ModelFile;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.train.Trainer;
import io.github.backprop4j.train.TrainingResult;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A network of 10 million parameters trains for an epoch (with Adam, whose state doubles the memory),
 * saves and loads back equal. Tagged {@code heavy}: run with {@code mvn -Pheavy -Dtest=LargeModelTest test};
 * it logs the peak heap.
 */
@Tag("heavy")
class LargeModelTest {

    private static final Logger LOG = LoggerFactory.getLogger(LargeModelTest.class);

    @Test
    void tenMillionParametersTrainSaveAndLoad(@TempDir Path folder) throws IOException {
        int width = 1000;
        Network network = Network.builder().input(width).dense(5000, Activation.RELU)
                .dense(width, Activation.IDENTITY).precision(Precision.FLOAT32).seed(5).build();
        assertThat(network.parameterCount()).isGreaterThanOrEqualTo(10_000_000);

        SplittableRandom random = new SplittableRandom(5);
        double[][] x = new double[256][width];
        double[][] y = new double[256][width];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < width; j++) {
                x[i][j] = random.nextGaussian();
                y[i][j] = Math.tanh(x[i][j]);
            }
        }
        long start = System.nanoTime();
        TrainingResult result = Trainer.builder().loss(Loss.MSE).optimizer(Optimizer.adam(1e-4)).epochs(1)
                .batchSize(64).seed(5).logging(false).build().fit(network, DataSet.of(x, y));
        double trainSeconds = (System.nanoTime() - start) / 1e9;

        Path file = folder.resolve("large.safetensors");
        ModelFile.save(result.network(), file);
        Network loaded = ModelFile.load(file);

        assertThat(loaded).isEqualTo(result.network());
        assertThat(result.history().last().value("loss")).isFinite();
        long peakHeap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        LOG.info("10M-parameter network ({} parameters): one epoch of 256 samples in {} s, file {} MB, "
                + "peak heap (sum of pool peaks) {} MB", network.parameterCount(), String.format("%.1f", trainSeconds),
                Files.size(file) / 1_000_000, peakHeap / 1_000_000);
    }
}
