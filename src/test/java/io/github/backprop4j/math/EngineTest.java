package io.github.backprop4j.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine's thread control: results are the same bits on any number of threads, on any executor. */
class EngineTest {

    private final SplittableRandom random = new SplittableRandom(5);
    private final Matrix wide = random(5600, 301);
    private final Matrix ten = random(10, 301);
    /** 520 × 301 × 129 multiply-adds, above twice the threshold, so each product is split. */
    private final Matrix a = random(520, 301);
    private final Matrix w = random(129, 301);
    private final Matrix d = random(520, 129);
    private final int defaultThreads = Engine.threads();

    @AfterEach
    void restore() {
        Engine.setThreads(defaultThreads);
    }

    private Matrix random(int rows, int cols) {
        Matrix m = Matrix.zeros(Precision.FLOAT32, rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                m.set(r, c, random.nextDouble(-1, 1));
            }
        }
        return m;
    }

    /** The three products of a large step, each big enough to be split over threads. */
    private Matrix[] products(Matrix a, Matrix w, Matrix d) {
        Matrix z = Matrix.zeros(Precision.FLOAT32, a.rows(), w.rows());
        Matrix.multiplyTransposed(a, w, z);
        Matrix dw = Matrix.zeros(Precision.FLOAT32, w.rows(), w.cols());
        Matrix.transposedMultiply(d, a, dw);
        Matrix up = Matrix.zeros(Precision.FLOAT32, a.rows(), w.cols());
        Matrix.multiply(d, w, up);
        Matrix one = Matrix.zeros(Precision.FLOAT32, 1, w.rows());
        Matrix.multiplyTransposed(Matrix.of(Precision.FLOAT32, new double[][] {a.row(0)}, "x"), w, one);
        Matrix narrow = Matrix.zeros(Precision.FLOAT32, wide.rows(), 10); // 5600 × 301 × 10, split too
        Matrix.multiplyTransposed(wide, ten, narrow);
        return new Matrix[] {z, dw, up, one, narrow};
    }

    private Matrix[] onOneThread() {
        Engine.setThreads(1);
        return products(a, w, d);
    }

    @Test
    void resultsAreBitIdenticalOnOneTwoAndThreeThreadsAndOnACallersExecutor() {
        Matrix[] one = onOneThread();
        for (int t : new int[] {2, 3}) {
            Engine.setThreads(t);
            assertThat(products(a, w, d)).as(t + " threads").isEqualTo(one);
        }
        ExecutorService callers = Executors.newFixedThreadPool(3);
        try {
            Engine.setExecutor(callers, 4);
            assertThat(products(a, w, d)).as("caller's executor").isEqualTo(one);
        } finally {
            callers.shutdown();
        }
    }

    @Test
    void callersMultiplyingAtOnceShareTheHelpersAndGetTheSameBits() throws InterruptedException {
        Matrix[] want = onOneThread();
        Engine.setThreads(2);
        java.util.List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread[] callers = new Thread[4];
        for (int c = 0; c < callers.length; c++) {
            callers[c] = new Thread(() -> {
                try {
                    for (int i = 0; i < 20; i++) {
                        assertThat(products(a, w, d)).isEqualTo(want);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            callers[c].start();
        }
        for (Thread t : callers) {
            t.join();
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void theCallerTakesBackEveryPieceNoHelperHasStarted() {
        Matrix[] want = onOneThread();
        java.util.List<Runnable> late = new java.util.ArrayList<>();
        Engine.setExecutor(late::add, 4); // an executor that starts nothing until the multiplies are done
        Matrix[] got = products(a, w, d);
        assertThat(late).as("pieces handed out").isNotEmpty();
        late.forEach(Runnable::run); // a helper that starts late finds nothing left to do
        assertThat(got).isEqualTo(want);
    }

    @Test
    void workersAreDaemonsNamedAfterTheLibraryAndShutDown() {
        Set<String> names = ConcurrentHashMap.newKeySet();
        Engine.setExecutor(r -> {
            Thread t = Executors.defaultThreadFactory().newThread(r);
            names.add("caller");
            t.start();
        }, 2);
        products(random(520, 301), random(129, 301), random(520, 129));
        assertThat(names).containsExactly("caller");

        Engine.setThreads(2);
        products(random(520, 301), random(129, 301), random(520, 129));
        assertThat(Thread.getAllStackTraces().keySet()).filteredOn(t -> t.getName().startsWith("backprop4j-worker-"))
                .isNotEmpty().allMatch(Thread::isDaemon);
        Engine.shutdown();
        assertThat(Engine.threads()).isEqualTo(1);
    }

    @Test
    void anInterruptedCallerFinishesTheMultiplyAndKeepsItsFlag() {
        Engine.setThreads(1);
        Matrix want = Matrix.zeros(Precision.FLOAT32, 520, 129);
        Matrix.multiplyTransposed(a, w, want);
        Engine.setThreads(2);
        Matrix got = Matrix.zeros(Precision.FLOAT32, 520, 129);
        Thread.currentThread().interrupt();
        try {
            Matrix.multiplyTransposed(a, w, got);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(got).isEqualTo(want);
    }

    @Test
    void everyRouteOfAProductMatchesThePlainKernel() {
        Engine.setThreads(1);
        // On the vector path: n = 1 and 5 dot products; 32 a packed (outᵀ = b·aᵀ); 40 and 600 bᵀ packed;
        // m = 10 a narrow bᵀ. The scalar path packs bᵀ for all.
        for (int[] s : new int[][] {{1, 784, 128}, {5, 300, 64}, {32, 784, 128}, {40, 784, 128}, {600, 200, 64},
                {32, 128, 10}}) {
            Matrix left = random(s[0], s[1]);
            Matrix right = random(s[2], s[1]);
            Matrix got = Matrix.zeros(Precision.FLOAT32, s[0], s[2]);
            Matrix.multiplyTransposed(left, right, got);
            float[] want = new float[s[0] * s[2]];
            io.github.backprop4j.math.kernel.FloatKernels.multiplyTransposed(((FloatMatrix) left).data,
                    ((FloatMatrix) right).data, want, s[0], s[1], s[2]);
            for (int i = 0; i < want.length; i++) {
                assertThat(got.get(i / s[2], i % s[2])).as("%s at %d", java.util.Arrays.toString(s), i)
                        .isCloseTo(want[i], org.assertj.core.api.Assertions.within(1e-6 * s[1] * 4));
            }
        }
    }

    @Test
    void aThreadCountBelowOneIsRefused() {
        assertThatThrownBy(() -> Engine.setThreads(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threads");
        assertThat(Engine.kernels()).isNotBlank();
    }
}
