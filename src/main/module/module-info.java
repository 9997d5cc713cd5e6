/**
 * backprop4j: feed-forward neural networks in pure Java.
 *
 * <p>On the module path an application needs only {@code requires io.github.backprop4j;}: SLF4J's API comes with
 * it ({@code requires transitive}), and a logging provider is the application's choice as usual. The Vector API
 * kernels, several times faster, run when the JVM starts with {@code --add-modules jdk.incubator.vector}; without
 * it the module still resolves and runs the scalar kernels. {@code io.github.backprop4j.math.Engine.kernels()}
 * says which run.
 *
 * <p>The kernels ({@code math.kernel}) and the code the packages share with each other ({@code internal},
 * {@code train.internal}) are not exported. The Spark packages are exported for completeness, but Spark's jars have
 * no module names: Spark applications keep the jar on the class path, where this descriptor is ignored.
 */
module io.github.backprop4j {
    requires transitive org.slf4j;
    requires static jdk.incubator.vector;
    // Read only to detect a JVMCI compiler by its VM option; without them the system properties decide.
    requires static java.management;
    requires static jdk.management;
    // Only PNG charts (report.LineChart.toImage) draw with Java2D; they say what to add where it is missing.
    requires static java.desktop;

    exports io.github.backprop4j;
    exports io.github.backprop4j.data;
    exports io.github.backprop4j.io;
    exports io.github.backprop4j.math;
    exports io.github.backprop4j.onnx;
    exports io.github.backprop4j.optim;
    exports io.github.backprop4j.report;
    exports io.github.backprop4j.spark;
    exports io.github.backprop4j.spark.ml;
    exports io.github.backprop4j.train;

    uses io.github.backprop4j.io.ComponentProvider;
}
