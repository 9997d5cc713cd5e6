package io.github.backprop4j.spark;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.IdxReader;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.train.EpochSummary;
import io.github.backprop4j.train.History;
import io.github.backprop4j.train.Trainer;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * Measures what {@code docs/spark.md} quotes: the 8000 bundled MNIST training images, a 784-128-10 float32
 * network (ReLU, softmax; 101 770 parameters), Adam(0.001), global batch 256 (32 steps an epoch), five epochs, the
 * median of epochs 2–5 (epoch 1 warms up). Single machine against synchronous Spark with 1 and 2 tasks in
 * {@code local[2]}, one stage per epoch and all five epochs in one stage ({@code epochsPerStage(5)}, whose epochs
 * each get a fifth of the stage's time), parameter averaging, the all-reduce alone, and, if {@code SPARK_HOME} is set (see
 * docs/spark.md), the same on {@code local-cluster[1,1,1024]} and {@code local-cluster[2,1,1024]}; or on the
 * masters given as arguments. Not a test.
 */
public final class SparkThroughput {

    private static final int EPOCHS = 5;
    private static final int BATCH = 256;

    private SparkThroughput() {
    }

    public static void main(String[] args) throws IOException {
        DataSet train;
        try (InputStream images = SparkThroughput.class.getResourceAsStream("/data/mnist/train-8k-images-idx3-ubyte.gz");
                InputStream labels = SparkThroughput.class.getResourceAsStream("/data/mnist/train-8k-labels-idx1-ubyte.gz")) {
            train = IdxReader.dataSet(images, labels, 10);
        }
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) {
            samples.add(new Sample(train.features(i), train.targets(i)));
        }
        Network network = Network.builder().input(784).dense(128, Activation.RELU).dense(10, Activation.SOFTMAX)
                .precision(Precision.FLOAT32).seed(1).build();
        int parameters = (int) network.parameterCount();

        double single = report("single machine Trainer.fit", config(BATCH).fit(network, train).history(), 0);
        String[] masters = args.length > 0 ? args // e.g. one master per JVM
                : new String[] {"local[2]", "local-cluster[1,1,1024]", "local-cluster[2,1,1024]"};
        for (String master : masters) {
            if (master.startsWith("local-cluster") && System.getenv("SPARK_HOME") == null) {
                System.out.println(master + ": skipped (SPARK_HOME not set)");
                continue;
            }
            SparkSession.Builder builder = SparkSession.builder().master(master).appName("throughput")
                    .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1");
            if (master.startsWith("local-cluster")) {
                builder.config("spark.executor.extraClassPath", absoluteClassPath()) // executors run elsewhere
                        .config("spark.executor.extraJavaOptions", "--add-modules=jdk.incubator.vector");
            }
            SparkSession spark = builder.getOrCreate();
            try {
                JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
                int slots = sc.defaultParallelism();
                for (int tasks = 1; tasks <= slots; tasks++) {
                    History sync = SparkTrainer.builder(config(BATCH)).epochsPerStage(1).build()
                            .fit(network, sc.parallelize(samples, tasks)).history();
                    report(master + ", synchronous, " + tasks + " task(s)", sync, single);
                    History allInOne = SparkTrainer.builder(config(BATCH)).epochsPerStage(EPOCHS).build()
                            .fit(network, sc.parallelize(samples, tasks)).history();
                    report(master + ", synchronous, " + tasks + " task(s), " + EPOCHS + " epochs a stage", allInOne,
                            single);
                    System.out.printf(Locale.ROOT, "%-58s %8.2f ms per all-reduce of %d floats%n",
                            master + ", the all-reduce alone, " + tasks + " task(s)", allReduceMillis(sc, tasks,
                                    parameters), parameters);
                }
                if (master.equals("local[2]")) {
                    History averaging = SparkTrainer.builder(config(BATCH / 2)).parameterAveraging(8).build()
                            .fit(network, sc.parallelize(samples, 2)).history();
                    report(master + ", averaging K=8, local batch 128, 2 tasks", averaging, single);
                }
            } finally {
                spark.stop();
            }
        }
    }

    private static String absoluteClassPath() {
        StringBuilder path = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            path.append(path.length() == 0 ? "" : java.io.File.pathSeparator)
                    .append(java.nio.file.Path.of(entry).toAbsolutePath());
        }
        return path.toString();
    }

    private static Trainer config(int batch) {
        return Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.adam(0.001)).epochs(EPOCHS)
                .batchSize(batch).seed(1).logging(false).build();
    }

    /** Prints the median samples/s and step time of epochs 2..E; returns the samples/s. */
    private static double report(String what, History history, double single) {
        List<EpochSummary> epochs = history.epochs().subList(1, history.size());
        double[] rates = epochs.stream().mapToDouble(EpochSummary::samplesPerSecond).sorted().toArray();
        double rate = (rates[(rates.length - 1) / 2] + rates[rates.length / 2]) / 2;
        double stepMillis = BATCH / rate * 1000;
        System.out.printf(Locale.ROOT, "%-58s %8.0f samples/s  %7.2f ms/step%s  final loss %.4f%n", what, rate,
                stepMillis, single > 0 ? String.format(Locale.ROOT, "  %.2f× single", rate / single) : "",
                history.last().value("loss"));
        return rate;
    }

    /** The median time of an all-reduce of {@code n} floats over {@code tasks} barrier tasks, 200 times. */
    private static double allReduceMillis(JavaSparkContext sc, int tasks, int n) {
        List<Integer> seeds = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            seeds.add(i);
        }
        List<double[]> times;
        try (AddressBook book = new AddressBook(sc.getConf().get("spark.driver.host"))) {
            times = sc.parallelize(seeds, tasks).rdd().barrier().mapPartitions(new RingTimer(n, book.address()), false,
                    ClassTag$.MODULE$.apply(double[].class)).toJavaRDD().collect();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        double[] all = times.get(0);
        Arrays.sort(all);
        return all[all.length / 2];
    }

    /** A barrier task that joins the ring and times 200 all-reduces (after 20 warm-up ones). */
    private static final class RingTimer extends AbstractFunction1<scala.collection.Iterator<Integer>,
            scala.collection.Iterator<double[]>> implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final int n;
        private final String book;

        RingTimer(int n, String book) {
            this.n = n;
            this.book = book;
        }

        @Override
        public scala.collection.Iterator<double[]> apply(scala.collection.Iterator<Integer> it) {
            while (it.hasNext()) {
                it.next();
            }
            try (Ring ring = Ring.join(BarrierTaskContext.get(), Duration.ofSeconds(60), book, 1)) {
                Ring.Floats v = new Ring.Floats(n);
                double[] extra = new double[1];
                double[] millis = new double[200];
                for (int i = -20; i < millis.length; i++) {
                    long t = System.nanoTime();
                    ring.sum(v, extra);
                    if (i >= 0) {
                        millis[i] = (System.nanoTime() - t) / 1e6;
                    }
                }
                return CollectionConverters.asScala(List.of(millis).iterator());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
