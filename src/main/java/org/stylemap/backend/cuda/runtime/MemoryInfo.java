package org.stylemap.backend.cuda.runtime;

/** Device memory as the driver reports it (for the emulator: the host's). */
public record MemoryInfo(long freeBytes, long totalBytes) {
    @Override
    public String toString() {
        return String.format("%.1f of %.1f GiB free", freeBytes / (double) (1L << 30), totalBytes / (double) (1L << 30));
    }
}
