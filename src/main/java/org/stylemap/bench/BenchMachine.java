package org.stylemap.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.stylemap.backend.cpu.CpuFeatures;
import org.stylemap.backend.cpu.KernelChoice;
import org.stylemap.backend.cpu.Parallel;

/**
 * The line every benchmark table starts with: which CPU, vector width and kernel shapes produced
 * it, on how many threads, and how loaded the machine was (other processes on the same cores
 * slow every figure down, so a number without its load means little).
 */
final class BenchMachine {
    private BenchMachine() {}

    static String describe() {
        return "cpu: " + CpuFeatures.HOST.describe() + "; " + KernelChoice.describe() + "; " + Parallel.THREADS
                + " threads; " + load();
    }

    /** The 1-minute load average against the core count, from /proc/loadavg where there is one. */
    private static String load() {
        int cores = Runtime.getRuntime().availableProcessors();
        try {
            String first = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0];
            return "load average " + first + " on " + cores + " cores";
        } catch (IOException | RuntimeException e) {
            return cores + " cores (load unknown)";
        }
    }
}
