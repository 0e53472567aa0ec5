package org.stylemap.data;

import org.stylemap.random.Philox;

/**
 * The data pipeline's random choices (split, shuffles, flips, built-in images). Each is a pure
 * function of (seed, purpose, counter) through Philox, so they are the same on every machine and
 * thread count, and any position in a stream can be recomputed without replaying what came before.
 */
final class Draws {
    static final long SPLIT = 1, SHUFFLE = 2, FLIP = 3, BUILTIN = 4;

    private Draws() {}

    /** An independent Philox key per (seed, purpose), so one user seed drives unrelated streams. */
    static long key(long seed, long purpose) {
        return mix(seed ^ mix(purpose + 0x632BE59BD9B4E019L));
    }

    /** SplitMix64's finaliser: a bijection that spreads nearby inputs over all 64 bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform [0, 1) number {@code counter} of the stream {@code key}. */
    static double uniform(long key, long counter, int[] scratch) {
        return Philox.uniform(key, counter, scratch);
    }

    /** A uniformly random permutation of 0..n-1 (Fisher-Yates), number {@code block} of the stream {@code key}. */
    static int[] permutation(long key, long block, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        int[] s = new int[4];
        for (int i = n - 1; i > 0; i--) {
            int j = (int) (Philox.uniform(key, (block << 32) | i, s) * (i + 1));
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
