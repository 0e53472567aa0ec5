package org.stylemap.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.ArrayList;
import java.util.List;

/**
 * The CPU backend's thread pool: one worker per core (override with -Dstylemap.threads=N).
 * Loops split a range into contiguous chunks; a loop started from inside a worker runs inline,
 * so nested parallel kernels never oversubscribe or deadlock the pool.
 */
public final class Parallel {
    public static final int THREADS =
            Math.max(1, Integer.getInteger("stylemap.threads", Runtime.getRuntime().availableProcessors()));
    private static final ForkJoinPool POOL = new ForkJoinPool(THREADS);
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);

    /** Work on the half-open range [from, to). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private Parallel() {}

    /**
     * Runs body over [0, n) in at most THREADS chunks of at least minGrain items each.
     * Chunks are contiguous and deterministic for a given n and thread count.
     */
    public static void forRange(int n, int minGrain, RangeBody body) {
        if (n <= 0) return;
        int chunks = (int) Math.min(THREADS, Math.max(1, n / Math.max(1, minGrain)));
        if (chunks <= 1 || Thread.currentThread() instanceof ForkJoinWorkerThread || INSIDE.get()) {
            body.run(0, n);
            return;
        }
        List<ForkJoinTask<?>> tasks = new ArrayList<>(chunks - 1);
        for (int c = 1; c < chunks; c++) {
            int from = (int) ((long) n * c / chunks), to = (int) ((long) n * (c + 1) / chunks);
            tasks.add(POOL.submit(() -> body.run(from, to)));
        }
        // The calling thread takes the first chunk itself instead of idling in join().
        INSIDE.set(true);
        try {
            body.run(0, (int) ((long) n / chunks));
        } finally {
            INSIDE.set(false);
        }
        for (ForkJoinTask<?> t : tasks) t.join();
    }
}
