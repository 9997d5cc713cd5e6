package io.github.backprop4j.spark;

import io.github.backprop4j.Layer;
import io.github.backprop4j.Network;
import io.github.backprop4j.Parameter;
import io.github.backprop4j.math.Matrix;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** A Spark session for one test class, and helpers to compare networks. */
final class SparkTestSupport {

    private SparkTestSupport() {
    }

    /**
     * A local session: at most two threads, no UI, few shuffle partitions; failed tasks tried {@code tries} times;
     * a task that ends holding a read lock on a cached block fails.
     */
    static SparkSession session(int tries) {
        return SparkSession.builder()
                .master("local[2," + tries + "]")
                .appName("backprop4j-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.storage.exceptionOnPinLeak", "true") // a read lock left on a cached block fails the task
                .getOrCreate();
    }

    /**
     * Runs {@code work} while capturing, instead of printing, what Spark's executor and task-set loggers write at
     * INFO and above (they are off in the tests' {@code simplelogger.properties}): where Spark reports "N block
     * locks were not released by task …" (INFO) and, with {@code spark.storage.exceptionOnPinLeak}, the task it
     * fails for that (ERROR, WARN). slf4j-simple writes to {@code System.err}, looked up at each line.
     *
     * @return the captured lines
     */
    static List<String> capturingSparkLog(Runnable work) {
        String[] names = {"org.apache.spark.executor.Executor", "org.apache.spark.scheduler.TaskSetManager"};
        int[] levels = new int[names.length];
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream err = System.err;
        try {
            java.lang.reflect.Field level = org.slf4j.simple.SimpleLogger.class.getDeclaredField("currentLogLevel");
            level.setAccessible(true);
            for (int i = 0; i < names.length; i++) {
                Object logger = org.slf4j.LoggerFactory.getLogger(names[i]);
                levels[i] = level.getInt(logger);
                level.setInt(logger, 20); // SimpleLogger.LOG_LEVEL_INFO
            }
            System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
            try {
                work.run();
            } finally {
                System.setErr(err);
                for (int i = 0; i < names.length; i++) {
                    level.setInt(org.slf4j.LoggerFactory.getLogger(names[i]), levels[i]);
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("slf4j-simple's SimpleLogger changed: " + e, e);
        }
        return captured.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
    }

    /**
     * Returns ‖a − b‖∞ / ‖b‖∞ over every parameter and buffer of every layer ({@link Layer#parameters()},
     * {@link Layer#buffers()}), of any kind; networks of other kinds, shapes or parameter names are refused.
     */
    static double relativeDifference(Network a, Network b) {
        if (a.layerCount() != b.layerCount()) {
            throw new AssertionError("the networks differ in their layers: " + a + " and " + b);
        }
        double diff = 0;
        double scale = 0;
        for (int l = 1; l <= b.layerCount(); l++) {
            Layer x = a.layer(l);
            Layer y = b.layer(l);
            List<Parameter> px = x.parameters();
            List<Parameter> py = y.parameters();
            if (!x.kind().equals(y.kind()) || !px.stream().map(Parameter::name).toList()
                    .equals(py.stream().map(Parameter::name).toList()) || !x.buffers().keySet().equals(y.buffers().keySet())) {
                throw new AssertionError("layer " + l + " differs in kind or tensors: " + x + " and " + y);
            }
            List<Matrix[]> pairs = new ArrayList<>();
            for (int i = 0; i < py.size(); i++) {
                pairs.add(new Matrix[] {px.get(i).value(), py.get(i).value()});
            }
            for (Map.Entry<String, Matrix> buffer : y.buffers().entrySet()) {
                pairs.add(new Matrix[] {x.buffers().get(buffer.getKey()), buffer.getValue()});
            }
            for (Matrix[] pair : pairs) {
                if (pair[0].rows() != pair[1].rows() || pair[0].cols() != pair[1].cols()) {
                    throw new AssertionError("layer " + l + ": " + pair[0] + " and " + pair[1] + " differ in shape");
                }
                for (int i = 0; i < pair[1].rows(); i++) {
                    for (int j = 0; j < pair[1].cols(); j++) {
                        diff = Math.max(diff, Math.abs(pair[0].get(i, j) - pair[1].get(i, j)));
                        scale = Math.max(scale, Math.abs(pair[1].get(i, j)));
                    }
                }
            }
        }
        return diff / scale;
    }
}
