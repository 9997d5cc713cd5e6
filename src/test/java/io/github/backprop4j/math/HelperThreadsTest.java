package io.github.backprop4j.math;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The library's own helper threads: who runs a part, and that they end when idle or shut down. */
class HelperThreadsTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void aPartRunsOnADaemonHelperNamedAfterTheLibrary() throws InterruptedException {
        HelperThreads helpers = new HelperThreads(1);
        try {
            Thread ranOn = runOnce(helpers);
            assertThat(ranOn).isNotSameAs(Thread.currentThread());
            assertThat(ranOn.getName()).startsWith("backprop4j-worker-");
            assertThat(ranOn.isDaemon()).isTrue();
        } finally {
            helpers.shutdown();
        }
    }

    @Test
    void whenEveryHelperIsBusyTheCallerRunsThePartItself() throws InterruptedException {
        HelperThreads helpers = new HelperThreads(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        try {
            helpers.execute(() -> {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            AtomicReference<Thread> ranOn = new AtomicReference<>();
            helpers.execute(() -> ranOn.set(Thread.currentThread()));
            assertThat(ranOn.get()).as("run before execute returned, on the caller").isSameAs(Thread.currentThread());
        } finally {
            release.countDown();
            helpers.shutdown();
        }
    }

    @Test
    void anIdleHelperEndsAndALaterPartStartsANewOne() throws InterruptedException {
        HelperThreads helpers = new HelperThreads(1, MS, 20 * MS);
        try {
            Thread first = runOnce(helpers);
            first.join(10_000);
            assertThat(first.isAlive()).as("ended after the keep-alive time").isFalse();
            Thread second = runOnce(helpers);
            assertThat(second).isNotSameAs(first).isNotSameAs(Thread.currentThread());
        } finally {
            helpers.shutdown();
        }
    }

    @Test
    void shutdownEndsTheHelpersAndLaterPartsRunOnTheCaller() throws InterruptedException {
        HelperThreads helpers = new HelperThreads(2);
        Thread helper = runOnce(helpers);
        helpers.shutdown();
        helper.join(10_000);
        assertThat(helper.isAlive()).isFalse();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        helpers.execute(() -> ranOn.set(Thread.currentThread()));
        assertThat(ranOn.get()).isSameAs(Thread.currentThread());
    }

    @Test
    void everyPartOfManyConcurrentCallersRunsExactlyOnce() throws InterruptedException {
        HelperThreads helpers = new HelperThreads(2, 50_000, 20 * MS); // short spins and keep-alive: every path
        int callers = 6;
        int parts = 5_000;
        AtomicInteger ran = new AtomicInteger();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        CountDownLatch allRan = new CountDownLatch(callers * parts);
        Thread[] threads = new Thread[callers];
        for (int c = 0; c < callers; c++) {
            threads[c] = new Thread(() -> {
                try {
                    for (int i = 0; i < parts; i++) {
                        helpers.execute(() -> {
                            ran.incrementAndGet();
                            allRan.countDown();
                        });
                        if (i % 1000 == 999) {
                            Thread.sleep(30); // let the helpers park and end now and then
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            threads[c].start();
        }
        try {
            assertThat(allRan.await(60, TimeUnit.SECONDS)).isTrue();
            for (Thread t : threads) {
                t.join();
            }
            assertThat(failures).isEmpty();
            assertThat(ran.get()).isEqualTo(callers * parts);
        } finally {
            helpers.shutdown();
        }
    }

    /** Runs one part and returns the thread it ran on. */
    private static Thread runOnce(HelperThreads helpers) throws InterruptedException {
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        helpers.execute(() -> {
            ranOn.set(Thread.currentThread());
            done.countDown();
        });
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        return ranOn.get();
    }
}
