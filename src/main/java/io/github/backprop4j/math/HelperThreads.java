package io.github.backprop4j.math;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The library's own helper threads: daemon threads named {@code backprop4j-worker-<n>}, each taking one part of
 * a split multiply at a time. A helper that has finished a part spins for a short while before it parks,
 * because a training step hands out parts every few tens of microseconds, and waking a parked thread took
 * about 60 µs on the 2-core test machine, as long as half a 784 × 128 product of a batch of 32
 * (docs/performance.md). A helper that has had nothing to do for {@value #KEEP_ALIVE_SECONDS} seconds ends;
 * a later part starts a new thread in its place.
 *
 * <p>{@link #execute} hands the part to an idle helper and returns; when every helper is busy (another thread
 * is multiplying at the same time), it runs the part on the calling thread instead, which gives the same bits.
 */
final class HelperThreads implements Executor {

    /** How long a helper that has finished a part spins before it parks. */
    static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(Long.getLong("backprop4j.spinMicros", 200));
    private static final long KEEP_ALIVE_SECONDS = 30;
    private static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(KEEP_ALIVE_SECONDS);
    private static final AtomicInteger NAMES = new AtomicInteger();

    /** A helper's states: waiting for a part; claimed by a caller (a part set or about to be); ended. */
    private static final int IDLE = 0;
    private static final int CLAIMED = 1;
    private static final int ENDED = 2;

    private final Helper[] helpers;
    private final long spinNanos;
    private final long keepAliveNanos;
    private volatile boolean shutdown;

    /**
     * Creates the helpers; their threads start when the first part arrives.
     *
     * @param count the number of helpers, at least 1
     */
    HelperThreads(int count) {
        this(count, SPIN_NANOS, KEEP_ALIVE_NANOS);
    }

    /** As {@link #HelperThreads(int)}, with the spin and the keep-alive times given (for tests). */
    HelperThreads(int count, long spinNanos, long keepAliveNanos) {
        this.spinNanos = spinNanos;
        this.keepAliveNanos = keepAliveNanos;
        helpers = new Helper[count];
        for (int i = 0; i < count; i++) {
            helpers[i] = new Helper();
        }
    }

    /** The number of helpers. */
    int size() {
        return helpers.length;
    }

    @Override
    public void execute(Runnable part) {
        for (Helper h : helpers) {
            if (h.state.compareAndSet(IDLE, CLAIMED)) {
                h.part = part;
                LockSupport.unpark(h.thread);
                return;
            }
        }
        if (!shutdown) {
            for (Helper h : helpers) {
                if (h.state.compareAndSet(ENDED, CLAIMED)) {
                    h.part = part;
                    h.start();
                    return;
                }
            }
        }
        part.run(); // every helper busy, or shut down: the caller does this part too
    }

    /** Ends every helper once it is idle; parts already handed out are finished first. */
    void shutdown() {
        shutdown = true;
        for (Helper h : helpers) {
            LockSupport.unpark(h.thread);
        }
    }

    private final class Helper implements Runnable {
        /** ENDED until the first part starts the thread. */
        final AtomicInteger state = new AtomicInteger(ENDED);
        volatile Runnable part;
        volatile Thread thread;

        /** Starts a thread for a helper whose state the caller has just moved from ENDED to CLAIMED. */
        void start() {
            Thread t = new Thread(this, "backprop4j-worker-" + NAMES.incrementAndGet());
            t.setDaemon(true);
            thread = t;
            t.start();
        }

        @Override
        public void run() {
            long idleSince = System.nanoTime();
            while (true) {
                Runnable p = part;
                if (p != null) {
                    part = null;
                    try {
                        p.run(); // the parts of Engine.split catch everything themselves
                    } finally {
                        state.set(IDLE);
                    }
                    idleSince = System.nanoTime();
                    continue;
                }
                int s = state.get();
                if (s == CLAIMED) {
                    Thread.onSpinWait(); // a caller has claimed this helper and is about to set the part
                    continue;
                }
                long idle = System.nanoTime() - idleSince;
                if (shutdown || idle >= keepAliveNanos) {
                    if (state.compareAndSet(IDLE, ENDED)) {
                        return;
                    }
                } else if (idle < spinNanos) {
                    Thread.onSpinWait();
                } else {
                    // An unpark between the check of part and this park is not lost: it leaves a permit.
                    LockSupport.parkNanos(this, keepAliveNanos - idle);
                }
            }
        }
    }
}
