package io.github.backprop4j.math;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The products of a 784-128 layer for a batch of n, on 1 or 2 threads: where splitting a
 * multiply over threads starts to pay ({@link Engine#MIN_WORK_PER_THREAD}), in either precision
 * ({@code -p precision=FLOAT64}). Work is n·784·128 multiply-adds.
 */
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GemmBench {

    @Param({"1", "4", "8", "32", "128", "512"})
    int n;

    @Param({"1", "2"})
    int threads;

    @Param({"FLOAT32"})
    Precision precision;

    private Matrix x;
    private Matrix w;
    private Matrix z;
    private Matrix dW;
    private Matrix up;

    @Setup
    public void setUp() {
        Engine.setThreads(threads);
        x = random(n, 784);
        w = random(128, 784);
        z = Matrix.zeros(precision, n, 128);
        dW = Matrix.zeros(precision, 128, 784);
        up = Matrix.zeros(precision, n, 784);
    }

    private Matrix random(int rows, int cols) {
        SplittableRandom random = new SplittableRandom(rows * 31L + cols);
        Matrix m = Matrix.zeros(precision, rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                m.set(r, c, random.nextDouble(-1, 1));
            }
        }
        return m;
    }

    /** {@code z = x·Wᵀ}, the forward product. */
    @Benchmark
    public Matrix forward() {
        Matrix.multiplyTransposed(x, w, z);
        return z;
    }

    /** {@code ∂C/∂W = zᵀ·x}, the weight gradient. */
    @Benchmark
    public Matrix weightGradient() {
        Matrix.transposedMultiply(z, x, dW);
        return dW;
    }

    /** {@code δ·W}, the error signal sent back a layer. */
    @Benchmark
    public Matrix backward() {
        Matrix.multiply(z, w, up);
        return up;
    }
}
