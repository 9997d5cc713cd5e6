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

/**
 * The engine's thread control: results are the same bits on any number of threads, on any executor, in both
 * precisions; every route of a product against the plain kernel; the choice of path from the VM's properties.
 */
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
        return random(Precision.FLOAT32, rows, cols);
    }

    private Matrix random(Precision precision, int rows, int cols) {
        Matrix m = Matrix.zeros(precision, rows, cols);
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

    /** The float64 products of a large step, each split over threads, and of one sample. */
    private Matrix[] doubleProducts() {
        Matrix a64 = a.toPrecision(Precision.FLOAT64);
        Matrix w64 = w.toPrecision(Precision.FLOAT64);
        Matrix d64 = d.toPrecision(Precision.FLOAT64);
        Matrix z = Matrix.zeros(Precision.FLOAT64, a64.rows(), w64.rows());
        Matrix.multiplyTransposed(a64, w64, z);
        Matrix dw = Matrix.zeros(Precision.FLOAT64, w64.rows(), w64.cols());
        Matrix.transposedMultiply(d64, a64, dw);
        Matrix up = Matrix.zeros(Precision.FLOAT64, a64.rows(), w64.cols());
        Matrix.multiply(d64, w64, up);
        Matrix one = Matrix.zeros(Precision.FLOAT64, 1, w64.rows());
        Matrix.multiplyTransposed(Matrix.of(Precision.FLOAT64, new double[][] {a64.row(0)}, "x"), w64, one);
        Matrix narrow = Matrix.zeros(Precision.FLOAT64, wide.rows(), 10);
        Matrix.multiplyTransposed(wide.toPrecision(Precision.FLOAT64), ten.toPrecision(Precision.FLOAT64), narrow);
        return new Matrix[] {z, dw, up, one, narrow};
    }

    @Test
    void doubleResultsAreBitIdenticalOnOneTwoAndThreeThreads() {
        Engine.setThreads(1);
        Matrix[] one = doubleProducts();
        for (int t : new int[] {2, 3}) {
            Engine.setThreads(t);
            assertThat(doubleProducts()).as(t + " threads").isEqualTo(one);
        }
        java.util.List<Runnable> late = new java.util.ArrayList<>();
        Engine.setExecutor(late::add, 4);
        assertThat(doubleProducts()).as("pieces taken back by the caller").isEqualTo(one);
        assertThat(late).as("pieces handed out").isNotEmpty();
    }

    @Test
    void everyRouteOfADoubleProductMatchesThePlainKernel() {
        Engine.setThreads(1);
        boolean scalar = !Engine.isVectorized();
        // vector path: n = 1, 5 and m = 3 dot products; 32 a packed; 40 and 600 bᵀ packed; m = 5 narrow, 10 tiled.
        // The scalar path packs bᵀ for all, or takes the transposed copy of an immutable b for n < 8.
        for (int[] s : new int[][] {{1, 784, 128}, {5, 300, 64}, {32, 784, 128}, {40, 784, 128}, {600, 200, 64},
                {32, 128, 10}, {32, 128, 5}, {9, 128, 3}, {3, 7, 9}}) {
            Matrix left = random(Precision.FLOAT64, s[0], s[1]);
            Matrix right = random(Precision.FLOAT64, s[2], s[1]);
            double[] want = new double[s[0] * s[2]];
            io.github.backprop4j.math.kernel.DoubleKernels.multiplyTransposed(((DoubleMatrix) left).data,
                    ((DoubleMatrix) right).data, want, s[0], s[1], s[2]);
            for (Matrix b : new Matrix[] {right, right.readOnlyView(), right.immutableCopy()}) {
                Matrix got = Matrix.zeros(Precision.FLOAT64, s[0], s[2]);
                Matrix.multiplyTransposed(left, b, got);
                double[] bits = ((DoubleMatrix) got).data;
                if (scalar) {
                    assertThat(bits).as("%s, scalar: the reference's bits", java.util.Arrays.toString(s))
                            .isEqualTo(want);
                }
                for (int i = 0; i < want.length; i++) {
                    assertThat(bits[i]).as("%s at %d", java.util.Arrays.toString(s), i)
                            .isCloseTo(want[i], org.assertj.core.api.Assertions.within(2.0 * s[1] * s[1] * 0x1p-53));
                }
            }
        }
    }

    /** A product with an immutable b (a layer's weights) gives the bits of one with a writable b, in both precisions. */
    @Test
    void theTransposedCopyOfAnImmutableMatrixGivesTheSameBitsAndIsKept() {
        Engine.setThreads(1);
        for (Precision precision : Precision.values()) {
            Matrix b = random(precision, 33, 129);
            Matrix frozen = b.immutableCopy();
            assertThat(frozen.isReadOnly()).isTrue();
            assertThat(frozen.immutableCopy()).isSameAs(frozen);
            assertThat(frozen).isEqualTo(b);
            for (int n = 1; n <= 9; n++) {
                Matrix x = random(precision, n, 129);
                Matrix want = Matrix.zeros(precision, n, 33);
                Matrix.multiplyTransposed(x, b, want);
                Matrix got = Matrix.zeros(precision, n, 33);
                Matrix.multiplyTransposed(x, frozen, got);
                assertThat(got).as("%s, %d rows", precision, n).isEqualTo(want);
            }
            b.set(0, 0, 99); // the copy owns its storage: a write to the original does not reach it
            assertThat(frozen.get(0, 0)).isNotEqualTo(99.0);

            // a product large enough to be split over threads (a batch predicted on the scalar path)
            Matrix big = a.toPrecision(precision);
            Matrix weights = w.toPrecision(precision);
            Matrix want = Matrix.zeros(precision, big.rows(), weights.rows());
            Matrix.multiplyTransposed(big, weights, want);
            for (int t : new int[] {1, 2, 3}) {
                Engine.setThreads(t);
                Matrix got = Matrix.zeros(precision, big.rows(), weights.rows());
                Matrix.multiplyTransposed(big, weights.immutableCopy(), got);
                assertThat(got).as("%s, %d threads", precision, t).isEqualTo(want);
            }
            Engine.setThreads(1);
        }
    }

    @Test
    void theVectorPathIsChosenUnlessTurnedOffOrOnAJvmciCompiler() {
        java.util.Map<String, String> hotspot = java.util.Map.of("java.vm.name", "OpenJDK 64-Bit Server VM",
                "java.vm.version", "17.0.15+6-Debian-1deb12u1");
        assertThat(Engine.scalarReason(hotspot::get, "false")).isNull();
        assertThat(Engine.scalarReason(hotspot::get, null)).isNull();
        assertThat(Engine.scalarReason(with(hotspot, "backprop4j.vector", "false")::get, "false"))
                .contains("-Dbackprop4j.vector=false");
        assertThat(Engine.scalarReason(with(hotspot, "backprop4j.vector", "true")::get, "false")).isNull();
        assertThat(Engine.scalarReason(hotspot::get, "true")).contains("JVMCI").contains("UseJVMCICompiler");

        // GraalVM CE 22.3 on JDK 17, as its properties read, when the VM option cannot be read
        java.util.Map<String, String> graal = java.util.Map.of("java.vm.name", "OpenJDK 64-Bit Server VM",
                "java.vm.version", "17.0.5+8-jvmci-22.3-b08", "java.vendor.version", "GraalVM CE 22.3.0");
        assertThat(Engine.scalarReason(graal::get, null)).contains("JVMCI");
        assertThat(Engine.scalarReason(graal::get, "false")).as("Graal with -XX:-UseJVMCICompiler runs C2").isNull();
        assertThat(Engine.scalarReason(java.util.Map.of("java.vm.name", "GraalVM 64-Bit Server VM")::get, null))
                .contains("JVMCI");
        assertThat(Engine.scalarReason(with(hotspot, "jdk.internal.vm.ci.enabled", "true")::get, null))
                .contains("JVMCI");
        assertThat(Engine.scalarReason(java.util.Map.<String, String>of()::get, null)).isNull();
    }

    private static java.util.Map<String, String> with(java.util.Map<String, String> properties, String key,
            String value) {
        java.util.Map<String, String> all = new java.util.HashMap<>(properties);
        all.put(key, value);
        return all;
    }

    @Test
    void bothPrecisionsAreOnOnePath() {
        assertThat(Engine.doubleKernels()).isNotBlank();
        assertThat(Engine.doubleKernels().startsWith("vector")).isEqualTo(Engine.isVectorized())
                .isEqualTo(Engine.kernels().startsWith("vector"));
    }
}
