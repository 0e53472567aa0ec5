package org.stylemap.data;

import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Endless shuffled batches of one split, prepared ahead by background threads.
 *
 * <p>The samples form one stream: sample s is image perm_e[s mod n] of epoch e = s / n, where
 * perm_e is a permutation drawn from (seed, e), and it is mirrored when draw (seed, s) says so.
 * Batch b holds samples b*B .. b*B+B-1, so a batch may straddle two epochs, and every image is
 * seen exactly once per epoch. Everything is a pure function of (seed, b): a loader started at
 * {@code position} k yields exactly what a loader started at 0 yields after k batches, which is
 * what resuming training needs; the thread count changes nothing but speed.
 */
public final class Loader implements AutoCloseable {
    /** Threads preparing batches; decoding is a memory copy, so a couple keep ahead of training. */
    public static final int DEFAULT_WORKERS = 2;
    /** Permutations kept: a batch straddling epochs needs two, and workers may be one epoch apart. */
    private static final int CACHED_EPOCHS = 4;

    private final ImageDataset data;
    private final Split split;
    private final int batchSize;
    private final int n;
    private final long shuffleKey;
    private final long flipKey;
    private final boolean flip;
    private final ExecutorService pool;
    private final ArrayDeque<Future<Batch>> ahead = new ArrayDeque<>();
    private final int depth;
    private final Map<Long, int[]> permutations = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, int[]> eldest) {
            return size() > CACHED_EPOCHS;
        }
    };
    private long position;
    private long submitted;

    /**
     * A loader over one split of data (which the caller keeps open and closes).
     *
     * @param batchSize images per batch
     * @param seed      drives shuffling and flips
     * @param position  the number of batches already drawn (0 for a fresh run; the saved {@link #position()} to resume)
     * @param flip      mirror each sample left-right with probability 0.5
     * @param workers   background threads
     * @throws IllegalArgumentException when the split is empty or an argument is out of range
     */
    public Loader(ImageDataset data, Split split, int batchSize, long seed, long position, boolean flip, int workers) {
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        if (position < 0) throw new IllegalArgumentException("loader position must be >= 0, got " + position);
        if (workers <= 0) throw new IllegalArgumentException("workers must be positive, got " + workers);
        this.n = data.count(split);
        if (n == 0) throw new IllegalArgumentException(data.file() + " has no '" + split.group + "' images");
        this.data = data;
        this.split = split;
        this.batchSize = batchSize;
        this.shuffleKey = Draws.key(seed, Draws.SHUFFLE);
        this.flipKey = Draws.key(seed, Draws.FLIP);
        this.flip = flip;
        this.position = position;
        this.submitted = position;
        this.depth = 2 * workers;
        this.pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "stylemap-loader");
            t.setDaemon(true); // never keeps the JVM alive after training returns
            return t;
        });
    }

    /** The usual training loader: the train split, flips on, {@link #DEFAULT_WORKERS} threads. */
    public static Loader training(ImageDataset data, int batchSize, long seed, long position) {
        return new Loader(data, Split.TRAIN, batchSize, seed, position, true, DEFAULT_WORKERS);
    }

    /** The next batch (waits for it when the workers are behind). */
    public Batch next() {
        while (submitted < position + depth) {
            long b = submitted++;
            ahead.add(pool.submit(() -> make(b)));
        }
        try {
            Batch batch = ahead.poll().get();
            position++;
            return batch;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading a batch", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            throw new IllegalStateException("loading a batch failed: " + c, c);
        }
    }

    /** The number of batches drawn so far: save it (with the seed) to resume at the next batch. */
    public long position() { return position; }

    /** The epoch the next batch starts in (0-based). */
    public long epoch() {
        return position * batchSize / n;
    }

    /** Batch number b, computed directly (what {@link #next()} returns at position b). */
    Batch make(long b) {
        int[] idx = new int[batchSize];
        boolean[] flips = new boolean[batchSize];
        int[] scratch = new int[4];
        for (int k = 0; k < batchSize; k++) {
            long s = b * batchSize + k;
            idx[k] = permutation(s / n)[(int) (s % n)];
            flips[k] = flip && Draws.uniform(flipKey, s, scratch) < 0.5;
        }
        return data.batch(split, idx, flips, b);
    }

    private int[] permutation(long epoch) {
        synchronized (permutations) {
            return permutations.computeIfAbsent(epoch, e -> Draws.permutation(shuffleKey, e, n));
        }
    }

    /** Stops the background threads; batches prepared ahead are dropped. */
    @Override
    public void close() {
        pool.shutdownNow();
    }
}
