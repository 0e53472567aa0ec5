package org.stylemap.backend.cpu;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.stylemap.backend.Backend;
import org.stylemap.backend.Backends;
import org.stylemap.backend.MemoryStats;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/** The CPU backend's memory statistics and its limit: off-heap tensors are bounded with a clear message. */
class CpuMemoryTest {
    private static final long MIB = 1 << 20;
    private final Backend cpu = Backends.cpu();

    @AfterEach
    void clearLimit() {
        System.clearProperty("stylemap.cpuMemory");
    }

    @Test
    void liveAndPeakFollowAllocations() {
        cpu.resetPeakMemory();
        long live0 = cpu.memoryStats().live();
        assertEquals(live0, cpu.memoryStats().peak(), "a reset peak starts at the live bytes");
        Tensor big = Tensor.empty(DType.F32, Device.CPU, (int) (4 * MIB / 4));
        MemoryStats during = cpu.memoryStats();
        assertEquals(live0 + 4 * MIB, during.live());
        big.free();
        MemoryStats after = cpu.memoryStats();
        assertEquals(live0, after.live());
        assertTrue(after.peak() >= live0 + 4 * MIB, "the peak remembers the freed tensor: " + after);
        cpu.resetPeakMemory();
        assertEquals(after.live(), cpu.memoryStats().peak());
    }

    @Test
    void allocationsPastTheLimitFailWithOneClearLine() {
        long live = cpu.memoryStats().live();
        System.setProperty("stylemap.cpuMemory", String.valueOf(live + 2 * MIB));
        assertEquals(live + 2 * MIB, cpu.memoryStats().limit());
        Tensor fits = Tensor.empty(DType.F32, Device.CPU, (int) (MIB / 4));
        OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> Tensor.empty(DType.F64, Device.CPU, (int) (MIB / 2)));
        assertTrue(e.getMessage().startsWith("out of CPU memory: a tensor of 4.0 MiB does not fit"), e.getMessage());
        assertTrue(e.getMessage().contains("STYLEMAP_CPU_MEMORY"), e.getMessage());
        assertEquals(live + MIB, cpu.memoryStats().live(), "a refused allocation holds nothing");
        fits.free();
    }

    @Test
    void limitSettingIsParsedOrRefused() {
        assertEquals(12L << 30, CpuMemoryLimit.parse("12g"));
        assertEquals(800L << 20, CpuMemoryLimit.parse("800M"));
        assertEquals(4096, CpuMemoryLimit.parse("4096"));
        var e = assertThrows(IllegalArgumentException.class, () -> CpuMemoryLimit.parse("lots"));
        assertTrue(e.getMessage().contains("STYLEMAP_CPU_MEMORY"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CpuMemoryLimit.parse("-1g"));
    }
}
