package io.github.backprop4j.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.train.Trainer;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Synchronous training across separate executor JVMs: Spark's {@code local-cluster[2,1,1024]} master starts two
 * executor processes, so the all-reduce runs over real sockets between processes. The executors take about 15 s
 * to start, so this test runs only when asked: {@code mvn test -Dtest=SparkClusterTest -Dbackprop4j.spark.cluster=true}.
 *
 * <p>The executors' launcher looks for Spark's jars under {@code SPARK_HOME}; with Maven's jars alone, an empty
 * {@code jars/} and {@code launcher/target/scala-2.13/} under a temporary {@code SPARK_HOME} satisfy it, and the
 * executors get the test class path through {@code spark.executor.extraClassPath}. The JVM reads its environment
 * once, so the test sets {@code SPARK_HOME} in the map behind {@link System#getenv()} (the Spark test options
 * open {@code java.util}) and removes it afterwards.
 */
@EnabledIfSystemProperty(named = "backprop4j.spark.cluster", matches = "true")
class SparkClusterTest {

    private static final Logger LOG = LoggerFactory.getLogger(SparkClusterTest.class);
    private static SparkSession spark;
    private static JavaSparkContext sc;
    private static Path home;

    @BeforeAll
    static void start() throws IOException {
        home = Files.createTempDirectory("spark-home");
        Files.createDirectories(home.resolve("jars"));
        Files.createDirectories(home.resolve("launcher/target/scala-2.13"));
        environment().put("SPARK_HOME", home.toString());
        spark = SparkSession.builder()
                .master("local-cluster[2,1,1024]")
                .appName("backprop4j-cluster-test")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .config("spark.storage.exceptionOnPinLeak", "true")
                .getOrCreate();
        sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stop() throws IOException {
        if (spark != null) {
            spark.stop();
        }
        environment().remove("SPARK_HOME");
        try (var files = Files.walk(home)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> environment() {
        try {
            Map<String, String> env = System.getenv();
            Field m = env.getClass().getDeclaredField("m");
            m.setAccessible(true);
            return (Map<String, String>) m.get(env);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot set SPARK_HOME for the local-cluster executors: " + e, e);
        }
    }

    @Test
    void synchronousTrainingOnTwoExecutorJvmsEqualsTrainerFit() {
        SplittableRandom random = new SplittableRandom(8);
        int n = 300;
        double[][] x = new double[n][6];
        int[] labels = new int[n];
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 6; j++) {
                x[i][j] = random.nextDouble(-1, 1);
            }
            labels[i] = x[i][0] * x[i][1] > 0 ? 0 : x[i][2] > 0.2 ? 1 : 2;
            samples.add(Sample.ofLabel(x[i], labels[i], 3));
        }
        Network start = Network.builder().input(6).dense(16, Activation.RELU).dense(3, Activation.SOFTMAX)
                .precision(Precision.FLOAT64).seed(3).build();
        Trainer config = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.adam(0.01)).epochs(3)
                .batchSize(64).seed(5).logging(false).build();

        Network single = config.fit(start, DataSet.ofLabels(x, labels, 3)).network();
        Network cluster = SparkTrainer.builder(config).build().fit(start, sc.parallelize(samples, 2)).network();
        Network averaged = SparkTrainer.builder(config).parameterAveraging(2).build()
                .fit(start, sc.parallelize(samples, 2)).network();

        double difference = SparkTestSupport.relativeDifference(cluster, single);
        LOG.info("local-cluster[2,1,1024]: relative difference to Trainer.fit {}", difference);
        assertThat(difference).isLessThanOrEqualTo(1e-9);
        assertThat(SparkTestSupport.relativeDifference(averaged, single)).as("averaging trains another trajectory")
                .isGreaterThan(1e-6);
    }
}
