package org.stylemap.backend;

/**
 * One backend's memory, in bytes: live (held by tensors now), peak (the most live since the last
 * reset), reserved (held from the system, including a caching allocator's free blocks; equals live
 * where there is no cache) and limit (what allocations may reach before they fail).
 */
public record MemoryStats(long live, long peak, long reserved, long limit) {
    public static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    @Override
    public String toString() {
        return "live " + mib(live) + ", peak " + mib(peak) + ", reserved " + mib(reserved) + ", limit " + mib(limit);
    }
}
