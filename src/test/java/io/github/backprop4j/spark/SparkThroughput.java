package io.github.backprop4j.spark;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.IdxReader;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.train.History;
import io.github.backprop4j.train.Trainer;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Measures the training throughput quoted in {@code docs/spark.md}: the 8000 bundled MNIST training images,
 * a 784-64-10 network, three epochs (the first a warm-up), single machine against both Spark modes in local
 * mode. Not a test; run it as that document says.
 */
public final class SparkThroughput {

    private SparkThroughput() {
    }

    public static void main(String[] args) throws IOException {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 128;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        DataSet train;
        try (InputStream images = SparkThroughput.class.getResourceAsStream("/data/mnist/train-8k-images-idx3-ubyte.gz");
                InputStream labels = SparkThroughput.class.getResourceAsStream("/data/mnist/train-8k-labels-idx1-ubyte.gz")) {
            train = IdxReader.dataSet(images, labels, 10);
        }
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) {
            samples.add(new Sample(train.features(i), train.targets(i)));
        }
        Network network = Network.builder().input(784).dense(64, Activation.RELU).dense(10, Activation.SOFTMAX).seed(1)
                .build();

        History single = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.adam(0.001)).epochs(3)
                .batchSize(batch).seed(1).logging(false).build().fit(network, train).history();
        report("single machine, batch " + batch, single);

        SparkSession spark = SparkSession.builder().master("local[" + threads + "]").appName("throughput")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            History sync = SparkTrainer.builder(config(batch)).build().fit(network, sc.parallelize(samples, threads))
                    .history();
            report("Spark synchronous, " + threads + " partitions, global batch " + batch, sync);
            for (int k : new int[] {1, 8}) {
                History averaging = SparkTrainer.builder(config(batch / threads)).parameterAveraging(k).build()
                        .fit(network, sc.parallelize(samples, threads)).history();
                report("Spark parameter averaging K=" + k + ", " + threads + " partitions, local batch "
                        + batch / threads, averaging);
            }
        } finally {
            spark.stop();
        }
    }

    private static Trainer config(int batch) {
        return Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.adam(0.001)).epochs(3).batchSize(batch)
                .seed(1).logging(false).build();
    }

    private static void report(String what, History history) {
        double best = 0;
        for (int e = 1; e < history.size(); e++) { // epoch 1 is the warm-up
            best = Math.max(best, history.epochs().get(e).samplesPerSecond());
        }
        System.out.printf(Locale.ROOT, "%-60s %8.0f samples/s (epochs 2-3, best), final loss %.4f%n", what, best,
                history.last().value("loss"));
    }
}
