package io.github.backprop4j.math;

import io.github.backprop4j.math.kernel.FloatGemm;
import io.github.backprop4j.math.kernel.ScalarFloatGemm;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine under the {@link Matrix} facade: which float32 kernels run, and on how many threads.
 *
 * <p><b>Kernels.</b> The float32 matrix multiplies use the Vector API ({@code jdk.incubator.vector}) when the
 * JVM runs with {@code --add-modules jdk.incubator.vector}, and otherwise a scalar path that C2 vectorises
 * less well; the library needs no JVM flag. The path is chosen once and logged once (SLF4J, this class's
 * logger). The system property {@code backprop4j.vector=false} forces the scalar path. Float64 keeps the
 * plain kernels, the exact reference.
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

    private static final FloatGemm GEMM = chooseKernels();
    /** The operand {@code bᵀ} that {@code a·bᵀ} packs, one growing buffer per calling thread. */
    private static final ThreadLocal<float[]> PACKED = ThreadLocal.withInitial(() -> new float[0]);
    /** The transposed result of an {@code a·bᵀ} computed as {@code b·aᵀ}, one buffer per calling thread. */
    private static final ThreadLocal<float[]> RESULT = ThreadLocal.withInitial(() -> new float[0]);

    private static volatile int threads = Math.max(1, Integer.getInteger("backprop4j.threads",
            Runtime.getRuntime().availableProcessors()));
    private static volatile Executor executor;
    /** The library's own pool, or {@code null}; guarded by the class lock. */
    private static HelperThreads ownPool;

    private Engine() {
    }

    private static FloatGemm chooseKernels() {
        if (!Boolean.parseBoolean(System.getProperty("backprop4j.vector", "true"))) {
            LOG.info("backprop4j float32 kernels: scalar (the vector path is disabled by -Dbackprop4j.vector=false)");
            return new ScalarFloatGemm();
        }
        Optional<FloatGemm> vector = FloatGemm.vector();
        if (vector.isPresent()) {
            LOG.info("backprop4j float32 kernels: {}", vector.get().description());
            return vector.get();
        }
        LOG.info("backprop4j float32 kernels: scalar. For kernels several times faster, run the JVM with "
                + "--add-modules jdk.incubator.vector (Java 17 or later)");
        return new ScalarFloatGemm();
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
     * Returns whether the float32 kernels use the Vector API.
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

    // ------------------------------------------------------------------ float32 multiplies

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

    /** {@code out[n×m] = a[n×k]·b[m×k]ᵀ}. */
    static void multiplyTransposed(float[] a, float[] b, float[] out, int n, int k, int m) {
        long work = (long) n * k * m;
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
        if ((long) n * k + (long) n * m < (long) k * m && n % GEMM.lanes() == 0) {
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
