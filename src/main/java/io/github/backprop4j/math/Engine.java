package io.github.backprop4j.math;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.kernel.DoubleGemm;
import io.github.backprop4j.math.kernel.FloatGemm;
import io.github.backprop4j.math.kernel.ScalarDoubleGemm;
import io.github.backprop4j.math.kernel.ScalarFloatGemm;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine under the {@link Matrix} facade: which kernels run, and on how many threads.
 *
 * <p><b>Kernels.</b> The matrix multiplies and the hot element-wise passes of both precisions use the Vector
 * API ({@code jdk.incubator.vector}) when the JVM runs with {@code --add-modules jdk.incubator.vector}, and
 * otherwise a scalar path shaped for C2's auto-vectoriser; the library needs no JVM flag. The path is chosen
 * once, for both precisions, and logged once (SLF4J, this class's logger). The system property
 * {@code backprop4j.vector=false} forces the scalar path, and so does a JVMCI compiler such as Graal as the
 * JIT, on which the Vector API runs several times slower than scalar code. The float64 scalar path gives the
 * bits of the plain reference kernels; the vector paths use fused multiply-adds.
 *
 * <p><b>Threads.</b> A multiply is split over threads only when it is large enough for that to pay
 * (2,097,152 multiply-adds per thread at least, or the system property
 * {@code backprop4j.minWorkPerThread}); the calling thread always does one
 * part. Each output element is computed by one thread in one fixed order, so results are bit-identical
 * whatever the thread count. By default the library uses {@link Runtime#availableProcessors()} threads (or
 * the system property {@code backprop4j.threads}) from its own pool of daemon threads named
 * {@code backprop4j-worker-<n>}, created on first need. A worker that has finished its part spins for
 * 200 µs (the system property {@code backprop4j.spinMicros}) before it parks, and so does a caller waiting
 * for its workers, since the parts of a training step come tens of microseconds apart and waking a parked
 * thread costs more; idle workers end after 30 seconds. A host
 * application can choose the count ({@link #setThreads(int)}, 1 for none), hand in its own
 * {@link Executor} ({@link #setExecutor(Executor, int)}), or {@link #shutdown()} the pool. A thread
 * interrupted while it waits for its helpers keeps its interrupt flag and finishes the multiply, so that
 * training stops cleanly at the next batch.
 *
 * <p>The settings are global to the class loader and may be changed at any time; a multiply in progress
 * finishes with the settings it started with.
 */
public final class Engine {

    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    /**
     * Multiply-adds one thread must have, at least, before a multiply is split: on the 2-core test machine,
     * with spinning helpers, 2 M made batch-128 training steps of 784-128-10 a third faster on two threads, and
     * 1 M or 0.5 M made batch 32 no faster (MnistBench, docs/performance.md).
     */
    static final long MIN_WORK_PER_THREAD = Long.getLong("backprop4j.minWorkPerThread", 1L << 21);

    /**
     * On the scalar path, {@code a·bᵀ} with an immutable b ({@link Matrix#freeze()}, a layer's weights:
     * predicting) multiplies the transposed copy b keeps, one array per row, instead of transposing b each
     * time: always when a has fewer rows than this, and for any number of rows when b has at most
     * {@link #KEPT_WIDTH} rows (the copy's rows are not cut into panels, so their sums must fit in L2).
     */
    static final int FEW_ROWS = 8;
    /** See {@link #FEW_ROWS}: 4 rows of sums of 1024 doubles are 32 KiB. */
    static final int KEPT_WIDTH = 1024;

    /** Why the scalar path runs although the vector path was not turned off, or null; read once. */
    private static final String SCALAR_REASON = scalarReason(System::getProperty, vmOption("UseJVMCICompiler"));
    private static final FloatGemm GEMM;
    private static final DoubleGemm DGEMM;

    static {
        Optional<FloatGemm> vector = SCALAR_REASON == null ? FloatGemm.vector() : Optional.empty();
        Optional<DoubleGemm> vectorDouble = vector.isPresent() ? DoubleGemm.vector() : Optional.empty();
        if (vector.isPresent() && vectorDouble.isPresent()) {
            GEMM = vector.get();
            DGEMM = vectorDouble.get();
            LOG.info("backprop4j kernels: float32 {}, float64 {}", GEMM.description(), DGEMM.description());
        } else {
            GEMM = new ScalarFloatGemm();
            DGEMM = new ScalarDoubleGemm();
            if (SCALAR_REASON != null) {
                LOG.info("backprop4j kernels: scalar ({})", SCALAR_REASON);
            } else {
                LOG.info("backprop4j kernels: scalar. For kernels several times faster, run the JVM with "
                        + "--add-modules jdk.incubator.vector (Java 17 or later)");
            }
        }
    }

    /** The operand {@code bᵀ} that {@code a·bᵀ} packs, one growing buffer per calling thread. */
    private static final ThreadLocal<float[]> PACKED = ThreadLocal.withInitial(() -> new float[0]);
    /** The transposed result of an {@code a·bᵀ} computed as {@code b·aᵀ}, one buffer per calling thread. */
    private static final ThreadLocal<float[]> RESULT = ThreadLocal.withInitial(() -> new float[0]);
    /** {@link #PACKED} for float64. */
    private static final ThreadLocal<double[]> PACKED_DOUBLE = ThreadLocal.withInitial(() -> new double[0]);
    /** {@link #RESULT} for float64. */
    private static final ThreadLocal<double[]> RESULT_DOUBLE = ThreadLocal.withInitial(() -> new double[0]);

    private static volatile int threads = Math.max(1, Integer.getInteger("backprop4j.threads",
            Runtime.getRuntime().availableProcessors()));
    private static volatile Executor executor;
    /** The library's own pool, or {@code null}; guarded by the class lock. */
    private static HelperThreads ownPool;

    private Engine() {
    }

    /**
     * Why the kernels must be the scalar ones although the Vector API may be present, as a phrase for the log,
     * or {@code null} if nothing speaks against the vector path (which still needs the module). A pure function
     * of what it is given, so that a test can hand it the properties of a VM it does not run on.
     *
     * <p>A JVMCI compiler as the JIT (GraalVM's default; {@code -XX:+UseJVMCICompiler}) does not compile the
     * Vector API's intrinsics: Apache Lucene measured it about five times slower than scalar code there
     * (lucene issue 12766) and turns its vector code off, as this does. The VM option answers when it is
     * known; otherwise the properties a JVMCI build of the JDK sets: a {@code java.vm.version} or
     * {@code java.vendor.version} naming {@code jvmci}, a {@code java.vm.name} or {@code java.vendor.version}
     * naming GraalVM, or {@code jdk.internal.vm.ci.enabled=true}.
     *
     * @param property the system properties, by name ({@code null} for an absent one)
     * @param useJvmciCompiler the VM option {@code UseJVMCICompiler} ({@code "true"}/{@code "false"}), or
     *     {@code null} if it cannot be read (not HotSpot, or no {@code java.management})
     * @return the reason for the scalar path, or {@code null}
     */
    static String scalarReason(UnaryOperator<String> property, String useJvmciCompiler) {
        if (!Boolean.parseBoolean(property.apply("backprop4j.vector") == null ? "true"
                : property.apply("backprop4j.vector"))) {
            return "the vector path is disabled by -Dbackprop4j.vector=false";
        }
        String jvmci = "a JVMCI compiler (Graal) is the JIT, on which the Vector API runs slower than scalar code";
        if (useJvmciCompiler != null) {
            return Boolean.parseBoolean(useJvmciCompiler) ? jvmci + " (-XX:+UseJVMCICompiler)" : null;
        }
        String vmName = lower(property.apply("java.vm.name"));
        String vmVersion = lower(property.apply("java.vm.version"));
        String vendorVersion = lower(property.apply("java.vendor.version"));
        if (vmVersion.contains("jvmci") || vendorVersion.contains("jvmci") || vmName.contains("graal")
                || vendorVersion.contains("graal") || "true".equals(property.apply("jdk.internal.vm.ci.enabled"))) {
            return jvmci;
        }
        return null;
    }

    private static String lower(String value) {
        return value == null ? "" : value.toLowerCase(java.util.Locale.ROOT);
    }

    /** A HotSpot VM option's value, or {@code null} where it cannot be read. */
    private static String vmOption(String name) {
        try {
            return java.lang.management.ManagementFactory.getPlatformMXBean(
                    com.sun.management.HotSpotDiagnosticMXBean.class).getVMOption(name).getValue();
        } catch (RuntimeException | LinkageError e) {
            return null; // not HotSpot, no such option, or java.management / jdk.management left out of the image
        }
    }

    /**
     * Describes the float32 kernels in use.
     *
     * @return e.g. {@code "vector (512-bit FloatVector, 16 lanes)"} or {@code "scalar (auto-vectorised loops)"}
     */
    public static String kernels() {
        return GEMM.description();
    }

    /**
     * Describes the float64 kernels in use; they are on the same path as the float32 ones.
     *
     * @return e.g. {@code "vector (512-bit DoubleVector, 8 lanes)"} or {@code "scalar (auto-vectorised loops)"}
     */
    public static String doubleKernels() {
        return DGEMM.description();
    }

    /**
     * Returns whether the kernels (of both precisions) use the Vector API.
     *
     * @return {@code true} on the vector path
     */
    public static boolean isVectorized() {
        return !(GEMM instanceof ScalarFloatGemm);
    }

    /**
     * Returns the most threads one multiply may use, the calling thread included.
     *
     * @return at least 1
     */
    public static int threads() {
        return threads;
    }

    /**
     * Sets the most threads one multiply may use, the calling thread included, on the library's own pool;
     * replaces an executor set before (which is not shut down: it belongs to its caller).
     *
     * @param count at least 1; 1 keeps all work on the calling thread
     * @throws IllegalArgumentException if {@code count} is below 1
     */
    public static synchronized void setThreads(int count) {
        Checks.positive(count, "threads");
        executor = null;
        threads = count;
        if (ownPool != null && ownPool.size() != Math.max(1, count - 1)) {
            ownPool.shutdown(); // a new pool of the new size starts on first need
            ownPool = null;
        }
    }

    /**
     * Runs the helper parts of large multiplies on the caller's executor instead of the library's pool.
     *
     * @param helpers where the parts other than the calling thread's run; must run tasks concurrently
     *     (a direct executor would be correct but slow)
     * @param count the most threads one multiply may use, the calling thread included, at least 1
     * @throws NullPointerException if {@code helpers} is {@code null}
     * @throws IllegalArgumentException if {@code count} is below 1
     */
    public static synchronized void setExecutor(Executor helpers, int count) {
        Checks.notNull(helpers, "executor");
        Checks.positive(count, "threads");
        threads = count;
        executor = helpers;
    }

    /**
     * Ends the library's own worker threads (after the tasks they are running) and goes back to one thread per
     * multiply; a later {@link #setThreads(int)} starts a new pool when needed. An executor set by
     * {@link #setExecutor} is forgotten, not shut down.
     */
    public static synchronized void shutdown() {
        threads = 1;
        executor = null;
        if (ownPool != null) {
            ownPool.shutdown();
            ownPool = null;
        }
    }

    private static synchronized Executor helpers() {
        if (executor != null) {
            return executor;
        }
        if (ownPool == null) {
            ownPool = new HelperThreads(Math.max(1, threads - 1));
        }
        return ownPool;
    }

    // ------------------------------------------------------------------ float32

    /** The first non-finite element of {@code x}, or -1, scanned by the chosen path. */
    static int indexOfNonFinite(float[] x) {
        return GEMM.indexOfNonFinite(x);
    }

    /** {@code out[i] = x[i] > 0 ? x[i] : 0}, by the chosen path. */
    static void relu(float[] x, float[] out) {
        GEMM.relu(x, out);
    }

    /** {@code z[r] += v}, then {@code out = relu(z)}, in one pass by the chosen path. */
    static void addRowVectorRelu(float[] z, float[] v, float[] out, int rows, int cols) {
        GEMM.addRowVectorRelu(z, v, out, rows, cols);
    }

    /** {@code out[i] = z[i] > 0 ? g[i] : 0·g[i]}, by the chosen path. */
    static void reluBackward(float[] z, float[] g, float[] out) {
        GEMM.reluBackward(z, g, out);
    }

    /** Row-wise softmax, by the chosen path. */
    static void softmaxRows(float[] x, float[] out, int rows, int cols) {
        GEMM.softmaxRows(x, out, rows, cols);
    }

    /**
     * {@code out[n×m] = a[n×k]·b[m×k]ᵀ}. On the scalar path, a product with an immutable b (predicting)
     * multiplies the transposed copy b keeps ({@link #FEW_ROWS}), which gives the bits of the other routes.
     */
    static void multiplyTransposed(float[] a, FloatMatrix bMatrix, float[] out, int n, int k, int m) {
        float[] b = bMatrix.data;
        long work = (long) n * k * m;
        if (bMatrix.frozen && (n < FEW_ROWS || m <= KEPT_WIDTH) && GEMM instanceof ScalarFloatGemm scalar) {
            float[][] bt = bMatrix.transposedRows();
            int parts = parts(work, n / 4);
            if (parts <= 1) {
                scalar.multiply(a, k, 1, bt, out, k, m, 0, n);
            } else {
                split(n, parts, (i0, i1) -> scalar.multiply(a, k, 1, bt, out, k, m, i0, i1));
            }
            return;
        }
        if (GEMM.prefersNarrow(n, k, m)) {
            int width = GEMM.lanes();
            float[] bt = packed(PACKED, k * width);
            FloatGemm.packNarrow(b, bt, m, k, width);
            int parts = parts(work, n / 8);
            if (parts <= 1) {
                GEMM.multiplyNarrow(a, bt, out, k, m, 0, n);
            } else {
                split(n, parts, (i0, i1) -> GEMM.multiplyNarrow(a, bt, out, k, m, i0, i1));
            }
            return;
        }
        if (GEMM.prefersDot(n, k, m)) {
            int parts = parts(work, m / 4);
            if (parts <= 1) {
                GEMM.multiplyTransposedDot(a, b, out, n, k, m, 0, m);
            } else {
                split(m, parts, (j0, j1) -> GEMM.multiplyTransposedDot(a, b, out, n, k, m, j0, j1));
            }
            return;
        }
        if (GEMM.lanes() > 1 && (long) n * k + (long) n * m < (long) k * m && n % GEMM.lanes() == 0) {
            // Fewer elements to move if a is packed instead (and n fills whole vectors): outᵀ[m×n] = b·aᵀ, then outᵀ is transposed back.
            // Each element is the same chain of multiply-adds over p either way, so the choice keeps the bits.
            float[] at = packed(PACKED, k * n);
            GEMM.transpose(a, at, n, k);
            float[] outT = packed(RESULT, m * n);
            multiplyRows(b, k, 1, at, outT, k, n, m, work);
            GEMM.transpose(outT, out, m, n);
            return;
        }
        float[] bt = packed(PACKED, k * m);
        GEMM.transpose(b, bt, m, k);
        multiplyRows(a, k, 1, bt, out, k, m, n, work);
    }

    private static float[] packed(ThreadLocal<float[]> buffer, int length) {
        float[] packed = buffer.get();
        if (packed.length < length) {
            packed = new float[length];
            buffer.set(packed);
        }
        return packed;
    }

    /** {@code out[m×k] = a[n×m]ᵀ·b[n×k]}. */
    static void transposedMultiply(float[] a, float[] b, float[] out, int n, int m, int k) {
        multiplyRows(a, 1, m, b, out, n, k, m, (long) n * m * k);
    }

    /** {@code out[n×m] = a[n×k]·b[k×m]}. */
    static void multiply(float[] a, float[] b, float[] out, int n, int k, int m) {
        multiplyRows(a, k, 1, b, out, k, m, n, (long) n * k * m);
    }

    private static void multiplyRows(float[] a, int rs, int cs, float[] b, float[] out, int inner, int cols,
            int rows, long work) {
        int parts = parts(work, rows / 4);
        if (parts <= 1) {
            GEMM.multiply(a, rs, cs, b, out, inner, cols, 0, rows);
        } else {
            split(rows, parts, (i0, i1) -> GEMM.multiply(a, rs, cs, b, out, inner, cols, i0, i1));
        }
    }

    // ------------------------------------------------------------------ float64: the same routes

    /** {@link #indexOfNonFinite(float[])} for float64. */
    static int indexOfNonFinite(double[] x) {
        return DGEMM.indexOfNonFinite(x);
    }

    /** {@link #relu(float[], float[])} for float64. */
    static void relu(double[] x, double[] out) {
        DGEMM.relu(x, out);
    }

    /** {@link #addRowVectorRelu(float[], float[], float[], int, int)} for float64. */
    static void addRowVectorRelu(double[] z, double[] v, double[] out, int rows, int cols) {
        DGEMM.addRowVectorRelu(z, v, out, rows, cols);
    }

    /** {@link #reluBackward(float[], float[], float[])} for float64. */
    static void reluBackward(double[] z, double[] g, double[] out) {
        DGEMM.reluBackward(z, g, out);
    }

    /** Row-wise softmax for float64: a scalar loop of {@link Math#exp} on every path. */
    static void softmaxRows(double[] x, double[] out, int rows, int cols) {
        DGEMM.softmaxRows(x, out, rows, cols);
    }

    /** {@link #multiplyTransposed(float[], FloatMatrix, float[], int, int, int)} for float64. */
    static void multiplyTransposed(double[] a, DoubleMatrix bMatrix, double[] out, int n, int k, int m) {
        double[] b = bMatrix.data;
        long work = (long) n * k * m;
        if (bMatrix.frozen && (n < FEW_ROWS || m <= KEPT_WIDTH) && DGEMM instanceof ScalarDoubleGemm scalar) {
            double[][] bt = bMatrix.transposedRows();
            int parts = parts(work, n / 4);
            if (parts <= 1) {
                scalar.multiply(a, k, 1, bt, out, k, m, 0, n);
            } else {
                split(n, parts, (i0, i1) -> scalar.multiply(a, k, 1, bt, out, k, m, i0, i1));
            }
            return;
        }
        if (DGEMM.prefersNarrow(n, k, m)) {
            int width = DGEMM.lanes();
            double[] bt = packedDouble(PACKED_DOUBLE, k * width);
            DoubleGemm.packNarrow(b, bt, m, k, width);
            int parts = parts(work, n / 8);
            if (parts <= 1) {
                DGEMM.multiplyNarrow(a, bt, out, k, m, 0, n);
            } else {
                split(n, parts, (i0, i1) -> DGEMM.multiplyNarrow(a, bt, out, k, m, i0, i1));
            }
            return;
        }
        if (DGEMM.prefersDot(n, k, m)) {
            int parts = parts(work, m / 4);
            if (parts <= 1) {
                DGEMM.multiplyTransposedDot(a, b, out, n, k, m, 0, m);
            } else {
                split(m, parts, (j0, j1) -> DGEMM.multiplyTransposedDot(a, b, out, n, k, m, j0, j1));
            }
            return;
        }
        if (DGEMM.lanes() > 1 && (long) n * k + (long) n * m < (long) k * m && n % DGEMM.lanes() == 0) {
            double[] at = packedDouble(PACKED_DOUBLE, k * n); // as for float32: the same chains, fewer elements moved
            DGEMM.transpose(a, at, n, k);
            double[] outT = packedDouble(RESULT_DOUBLE, m * n);
            multiplyRows(b, k, 1, at, outT, k, n, m, work);
            DGEMM.transpose(outT, out, m, n);
            return;
        }
        double[] bt = packedDouble(PACKED_DOUBLE, k * m);
        DGEMM.transpose(b, bt, m, k);
        multiplyRows(a, k, 1, bt, out, k, m, n, work);
    }

    private static double[] packedDouble(ThreadLocal<double[]> buffer, int length) {
        double[] packed = buffer.get();
        if (packed.length < length) {
            packed = new double[length];
            buffer.set(packed);
        }
        return packed;
    }

    /** {@code out[m×k] = a[n×m]ᵀ·b[n×k]}. */
    static void transposedMultiply(double[] a, double[] b, double[] out, int n, int m, int k) {
        multiplyRows(a, 1, m, b, out, n, k, m, (long) n * m * k);
    }

    /** {@code out[n×m] = a[n×k]·b[k×m]}. */
    static void multiply(double[] a, double[] b, double[] out, int n, int k, int m) {
        multiplyRows(a, k, 1, b, out, k, m, n, (long) n * k * m);
    }

    private static void multiplyRows(double[] a, int rs, int cs, double[] b, double[] out, int inner, int cols,
            int rows, long work) {
        int parts = parts(work, rows / 4);
        if (parts <= 1) {
            DGEMM.multiply(a, rs, cs, b, out, inner, cols, 0, rows);
        } else {
            split(rows, parts, (i0, i1) -> DGEMM.multiply(a, rs, cs, b, out, inner, cols, i0, i1));
        }
    }

    private static int parts(long work, int maxParts) {
        int t = threads;
        if (t <= 1 || work < 2 * MIN_WORK_PER_THREAD) {
            return 1;
        }
        return (int) Math.min(Math.min(t, work / MIN_WORK_PER_THREAD), Math.max(1, maxParts));
    }

    private interface Range {
        void run(int from, int to);
    }

    /**
     * Runs {@code [0, units)} in {@code parts} pieces aligned to 4. The calling thread runs piece 0, then takes
     * back every piece no helper has started: a helper that is parked, busy, or slow to wake delays the
     * multiply by no more than its own piece, since the caller waits only for pieces already running.
     * Whoever runs a piece, it is the same range, so the bits are the same.
     */
    private static void split(int units, int parts, Range body) {
        Executor pool = helpers();
        AtomicInteger next = new AtomicInteger(1); // the next piece nobody has taken
        CountDownLatch done = new CountDownLatch(parts - 1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable takeOne = () -> {
            int t = next.getAndIncrement();
            if (t < parts) {
                try {
                    body.run(boundary(units, parts, t), boundary(units, parts, t + 1));
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            }
        };
        for (int t = 1; t < parts; t++) {
            try {
                pool.execute(takeOne);
            } catch (RejectedExecutionException shutDown) {
                break; // the caller takes the rest below
            }
        }
        body.run(0, boundary(units, parts, 1));
        while (next.get() < parts) {
            takeOne.run();
        }
        // What is left is running on helpers and as long as the caller's piece: spin for it before parking.
        long spinStart = System.nanoTime();
        while (done.getCount() > 0 && System.nanoTime() - spinStart < HelperThreads.SPIN_NANOS) {
            Thread.onSpinWait();
        }
        boolean interrupted = false;
        while (true) {
            try {
                done.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // finish: the helpers are still writing into the output
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable e = failure.get();
        if (e instanceof RuntimeException r) {
            throw r;
        } else if (e instanceof Error err) {
            throw err;
        }
    }

    private static int boundary(int units, int parts, int t) {
        return t >= parts ? units : (int) ((long) units * t / parts) & ~3;
    }
}
