package org.stylemap.backend.cuda.runtime;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks on host segments given to a runtime, and the host's memory for the emulator. */
final class HostMemory {
    private HostMemory() {}

    /** src, if it is native and holds at least bytes. */
    static MemorySegment checked(MemorySegment s, long bytes) {
        if (!s.isNative())
            throw new IllegalArgumentException("host memory for device copies must be native (off-heap), got a heap segment");
        if (s.byteSize() < bytes)
            throw new IllegalArgumentException("host segment of " + s.byteSize() + " bytes is smaller than the copy of " + bytes);
        return s;
    }

    /** MemAvailable and MemTotal of /proc/meminfo (zeros where it cannot be read). */
    static MemoryInfo info() {
        long free = 0, total = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) free = kib(line);
                if (line.startsWith("MemTotal:")) total = kib(line);
            }
        } catch (IOException | RuntimeException e) {
            return new MemoryInfo(0, 0);
        }
        return new MemoryInfo(free, total);
    }

    private static long kib(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
    }
}
