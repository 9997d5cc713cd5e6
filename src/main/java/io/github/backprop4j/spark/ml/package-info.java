/**
 * Spark ML conventions for backprop4j: {@link io.github.backprop4j.spark.ml.NetworkEstimator} is an
 * {@code org.apache.spark.ml.Estimator} that trains a network with {@link io.github.backprop4j.spark.SparkTrainer}
 * inside a Spark ML {@code Pipeline}, and {@link io.github.backprop4j.spark.ml.NetworkModel} the
 * {@code Model} it returns, whose {@code transform} adds a prediction column (and, for classification, a
 * probability column) computed with {@link io.github.backprop4j.Network#predict(double[][])} in batches on the
 * executors.
 *
 * <p>The columns are the usual Spark ML params: {@code featuresCol} ("features", an ML {@code Vector} of the
 * network's input size, as {@code VectorAssembler} writes it), {@code labelCol} ("label"), {@code predictionCol}
 * ("prediction") and {@code probabilityCol} ("probability"). A {@code NetworkModel} is saved and loaded with Spark
 * ML's writer and reader ({@code model.write().save(path)}, {@code NetworkModel.load(path)}, or as a stage of a
 * saved {@code PipelineModel}): a directory holding Spark's metadata JSON and an ordinary backprop4j model file,
 * {@code network.safetensors}, that {@link io.github.backprop4j.io.ModelFile#load(java.nio.file.Path)} reads.
 *
 * <p>Like the rest of {@code io.github.backprop4j.spark}, this package needs Spark (here {@code spark-mllib}) on
 * the class path, which the cluster provides. See {@code docs/spark.md}, section "Spark ML pipelines".
 */
package io.github.backprop4j.spark.ml;
