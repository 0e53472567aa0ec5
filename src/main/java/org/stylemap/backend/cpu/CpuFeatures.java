package org.stylemap.backend.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import jdk.incubator.vector.FloatVector;

/**
 * What the CPU kernels need to know about the machine: the model (for benchmark tables), the
 * vector width the JIT compiles the Vector API to, and how many vector registers that code has.
 * Java does not report the register count, so it is derived: x86 code gets 32 registers only
 * with the EVEX encoding, which the JIT uses exactly when it emits 512-bit vectors (AVX-512);
 * with 256-bit vectors (AVX2, also an AVX-512 CPU run with -XX:UseAVX=2) it has 16. AArch64
 * (NEON, SVE) has 32. A CPU whose JIT is capped below its hardware width (-XX:MaxVectorSize=32
 * on AVX-512) is counted with 16, which only costs a smaller micro-kernel.
 *
 * @param model      the CPU model name (/proc/cpuinfo, else os.arch)
 * @param flags      the SIMD flags /proc/cpuinfo lists that matter here (avx2, fma, avx512f, ...)
 * @param vectorBits bits of {@code FloatVector.SPECIES_PREFERRED}
 * @param registers  vector registers available to JIT-compiled Vector API code
 */
public record CpuFeatures(String model, List<String> flags, int vectorBits, int registers) {
    private static final Set<String> SIMD_FLAGS = Set.of("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512vl",
            "avx512bw", "avx512dq", "asimd", "sve", "sve2");

    /** This machine, read once. */
    public static final CpuFeatures HOST = detect();

    static CpuFeatures detect() {
        String arch = System.getProperty("os.arch", "unknown");
        String model = arch, family = null, number = null;
        Set<String> flags = new TreeSet<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                int colon = line.indexOf(':');
                if (colon < 0) continue;
                String key = line.substring(0, colon).trim(), value = line.substring(colon + 1).trim();
                if (model.equals(arch) && (key.equals("model name") || key.equals("Model") || key.equals("CPU part")))
                    model = value;
                if (family == null && key.equals("cpu family")) family = value;
                if (number == null && key.equals("model")) number = value;
                if (key.equals("flags") || key.equals("Features"))
                    for (String f : value.split("\\s+")) if (SIMD_FLAGS.contains(f)) flags.add(f);
            }
        } catch (IOException | RuntimeException e) {
            // No /proc (not Linux): the width below is still right, the model just stays the architecture.
        }
        // Virtual machines often show a bare "AMD EPYC": family and model tell the generation (26 = Zen 5).
        if (family != null && number != null) model += " (family " + family + ", model " + number + ")";
        int bits = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        boolean arm = arch.toLowerCase(Locale.ROOT).contains("aarch64");
        return new CpuFeatures(model, List.copyOf(flags), bits, arm || bits >= 512 ? 32 : 16);
    }

    /** One line for `stylemap info` and benchmark headers, e.g. "AMD EPYC, 256-bit vectors (8 floats), 16 vector registers [avx2 fma]". */
    public String describe() {
        return model + ", " + vectorBits + "-bit vectors (" + vectorBits / Float.SIZE + " floats), " + registers
                + " vector registers" + (flags.isEmpty() ? "" : " [" + String.join(" ", flags) + "]");
    }
}
