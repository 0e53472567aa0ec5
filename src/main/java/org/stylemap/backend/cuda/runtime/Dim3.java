package org.stylemap.backend.cuda.runtime;

/** A grid or block shape of a launch, as CUDA's dim3 (every extent at least 1). */
public record Dim3(int x, int y, int z) {
    public Dim3 {
        if (x < 1 || y < 1 || z < 1)
            throw new IllegalArgumentException("launch dimensions must be at least 1, got (" + x + "," + y + "," + z + ")");
    }

    public static Dim3 of(int x) {
        return new Dim3(x, 1, 1);
    }

    public static Dim3 of(int x, int y) {
        return new Dim3(x, y, 1);
    }

    public static Dim3 of(int x, int y, int z) {
        return new Dim3(x, y, z);
    }

    /** Blocks of `block` threads that cover n elements, one per thread (rounded up). */
    public static Dim3 cover(long n, int block) {
        long blocks = Math.max(1, (n + block - 1) / block);
        if (blocks > Integer.MAX_VALUE)
            throw new IllegalArgumentException(n + " elements need more than 2^31-1 blocks of " + block);
        return of((int) blocks);
    }

    public long count() {
        return (long) x * y * z;
    }

    @Override
    public String toString() {
        return "(" + x + "," + y + "," + z + ")";
    }
}
