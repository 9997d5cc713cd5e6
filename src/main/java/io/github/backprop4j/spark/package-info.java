/**
 * Data-parallel training on Apache Spark: {@link io.github.backprop4j.spark.SparkTrainer} trains an
 * ordinary {@link io.github.backprop4j.Network} on a {@code JavaRDD} of {@link io.github.backprop4j.spark.Sample}s
 * ({@link io.github.backprop4j.spark.SparkData} makes one from a {@code Dataset<Row>}), by synchronous
 * gradient averaging (equal to single-machine training with the same global batches, see
 * {@link io.github.backprop4j.spark.GlobalBatches}) or by parameter averaging every K local steps, both in one
 * Spark barrier stage per epoch whose tasks all-reduce among themselves over a ring of sockets.
 *
 * <p>Spark is a {@code provided}, optional dependency of backprop4j: this package compiles against it, and a
 * Spark job gets it from the cluster. Nothing outside this package uses it. See {@code docs/spark.md}.
 */
package io.github.backprop4j.spark;
