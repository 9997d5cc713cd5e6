package io.github.backprop4j.data;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.train.Trainer;
import io.github.backprop4j.train.TrainingResult;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Map;

/**
 * Run in a JVM with a small heap by {@link StreamingMemoryTest}: trains one epoch of a 64-16-1 float32
 * network on a {@link GeneratedDataSource} far larger than the heap, and prints one result line,
 * {@code RESULT samples=… before=… after=… maxHeapMB=… peakHeapMB=…}, where {@code before} and
 * {@code after} are the mean squared error on fresh held-out samples.
 */
public final class StreamingTrainingMain {

    private StreamingTrainingMain() {
    }

    /**
     * Trains and reports.
     *
     * @param args the number of training samples
     */
    public static void main(String[] args) {
        long samples = Long.parseLong(args[0]);
        GeneratedDataSource training = new GeneratedDataSource(samples, 64, 1);
        GeneratedDataSource heldOut = new GeneratedDataSource(10_000, 64, 2);
        Network network = Network.builder().input(64).dense(16, Activation.TANH).dense(1, Activation.IDENTITY)
                .precision(Precision.FLOAT32).seed(3).build();
        Trainer trainer = Trainer.builder().loss(Loss.MSE).optimizer(Optimizer.adam(0.003)).epochs(1)
                .batchSize(256).logging(false).seed(4).build();

        double before = trainer.evaluate(network, heldOut).get("loss");
        TrainingResult result = trainer.fit(network, training);
        double after = trainer.evaluate(result.network(), heldOut).get("loss");

        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        Map<String, Double> last = result.history().last().values();
        System.out.println("RESULT samples=" + result.history().last().samples() + " trainLoss=" + last.get("loss")
                + " before=" + before + " after=" + after + " maxHeapMB=" + Runtime.getRuntime().maxMemory() / (1 << 20)
                + " peakHeapMB=" + peak / (1 << 20));
    }
}
