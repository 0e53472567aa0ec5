package org.stylemap.random;

/**
 * A seeded stream of random tensors. Each draw takes the next block of Philox counters, so a run
 * that restores (seed, offset) continues with exactly the numbers it would have drawn.
 */
public final class Rng {
    private final long seed;
    private long offset;

    public Rng(long seed) {
        this(seed, 0);
    }

    public Rng(long seed, long offset) {
        this.seed = seed;
        this.offset = offset;
    }

    public long seed() { return seed; }

    /** The next unused counter; save it with the seed to resume the stream. */
    public long offset() { return offset; }

    /** Reserves n counters and returns the first. */
    public synchronized long take(long n) {
        long first = offset;
        offset += n;
        return first;
    }
}
