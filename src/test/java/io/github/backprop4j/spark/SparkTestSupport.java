package io.github.backprop4j.spark;

import io.github.backprop4j.Network;
import io.github.backprop4j.math.Matrix;
import org.apache.spark.sql.SparkSession;

/** A Spark session for one test class, and helpers to compare networks. */
final class SparkTestSupport {

    private SparkTestSupport() {
    }

    /** A local session: at most two threads, no UI, few shuffle partitions; failed tasks tried {@code tries} times. */
    static SparkSession session(int tries) {
        return SparkSession.builder()
                .master("local[2," + tries + "]")
                .appName("backprop4j-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
    }

    /** Returns ‖a − b‖∞ / ‖b‖∞ over every weight and bias. */
    static double relativeDifference(Network a, Network b) {
        double diff = 0;
        double scale = 0;
        for (int l = 1; l <= b.layerCount(); l++) {
            for (Matrix[] pair : new Matrix[][] {{a.dense(l).weightMatrix(), b.dense(l).weightMatrix()},
                {a.dense(l).biasVector(), b.dense(l).biasVector()}}) {
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
