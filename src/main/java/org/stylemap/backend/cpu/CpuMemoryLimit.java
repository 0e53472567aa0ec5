package org.stylemap.backend.cpu;

import java.lang.management.ManagementFactory;

/**
 * How many bytes CPU tensors may hold: {@code -Dstylemap.cpuMemory=SIZE} or the environment
 * variable STYLEMAP_CPU_MEMORY (e.g. 12g, 800m, or bytes); by default the machine's physical
 * memory less the Java heap's maximum and 1 GiB for everything else the process needs.
 */
final class CpuMemoryLimit {
    static final String HOW_TO_SET = "set STYLEMAP_CPU_MEMORY or -Dstylemap.cpuMemory, or use a smaller batch";
    private static final long GIB = 1L << 30;
    private static final long DEFAULT = Math.max(GIB, ((com.sun.management.OperatingSystemMXBean) ManagementFactory
            .getOperatingSystemMXBean()).getTotalMemorySize() - Runtime.getRuntime().maxMemory() - GIB);

    private CpuMemoryLimit() {}

    /** Read at every allocation (a property lookup beside a malloc), so a limit set while running applies. */
    static long bytes() {
        String v = System.getProperty("stylemap.cpuMemory", System.getenv("STYLEMAP_CPU_MEMORY"));
        return v == null || v.isBlank() ? DEFAULT : parse(v.trim());
    }

    /** "12g", "800m", "64k" or a byte count. */
    static long parse(String v) {
        try {
            char unit = Character.toLowerCase(v.charAt(v.length() - 1));
            long mult = switch (unit) {
                case 'k' -> 1L << 10;
                case 'm' -> 1L << 20;
                case 'g' -> GIB;
                case 't' -> GIB << 10;
                default -> 1;
            };
            double n = Double.parseDouble(mult == 1 ? v : v.substring(0, v.length() - 1));
            if (!(n > 0)) throw new NumberFormatException();
            return (long) (n * mult);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("stylemap.cpuMemory / STYLEMAP_CPU_MEMORY: '" + v
                    + "' is not a size (a positive number with an optional k, m, g or t suffix)");
        }
    }
}
