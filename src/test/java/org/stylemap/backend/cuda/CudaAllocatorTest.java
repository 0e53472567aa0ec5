package org.stylemap.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.stylemap.backend.MemoryStats;
import org.stylemap.backend.cuda.runtime.KernelBundle;
import org.stylemap.backend.cuda.runtime.KernelRuntime;
import org.stylemap.backend.cuda.runtime.KernelRuntimes;
import org.stylemap.memory.Storage;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;
import org.stylemap.testing.CudaDevices;

/**
 * The caching allocator, each test on a backend of its own (so that no other test's tensors,
 * freed by the garbage collector meanwhile, move the numbers): size classes, reuse without
 * device allocations, live/reserved/peak, the out-of-memory path with its message, and blocks
 * returned by the cleaner thread.
 */
class CudaAllocatorTest {
    private static final String DEVICES = "org.stylemap.testing.CudaDevices#all";
    private static final long MIB = 1L << 20;

    static CudaBackend fresh(Device device) {
        CudaDevices.require(device);
        KernelRuntime rt = device.kind() == Device.Kind.CUDA_EMU ? KernelRuntimes.emulator(KernelBundle.MAIN)
                : KernelRuntimes.driver(KernelBundle.MAIN);
        return new CudaBackend(device, rt);
    }

    private static long address(CudaBackend b, Storage s) {
        return b.address(new Tensor(s, new int[] {(int) s.numel()}, new long[] {1}, 0));
    }

    @Test
    void sizeClassesRoundTo512BytesBelowOneMibAndTo2MibFromThere() {
        assertEquals(512, CudaAllocator.sizeClass(1));
        assertEquals(512, CudaAllocator.sizeClass(512));
        assertEquals(1024, CudaAllocator.sizeClass(513));
        assertEquals(MIB, CudaAllocator.sizeClass(MIB - 1));
        assertEquals(2 * MIB, CudaAllocator.sizeClass(MIB));
        assertEquals(2 * MIB, CudaAllocator.sizeClass(2 * MIB));
        assertEquals(4 * MIB, CudaAllocator.sizeClass(2 * MIB + 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void freedBlocksAreReusedAtOnceWithoutTheDevice(Device device) {
        CudaBackend b = fresh(device);
        Storage first = b.allocate(DType.F32, 1000); // 4000 bytes: class 4096
        long at = address(b, first), calls = b.deviceAllocations();
        first.free();
        Storage again = b.allocate(DType.F64, 500);   // 4000 bytes again
        assertEquals(at, address(b, again), "a freed block of the class is handed out again");
        Storage other = b.allocate(DType.F32, 100);   // another class: a new block
        assertNotEquals(at, address(b, other));
        assertEquals(calls + 1, b.deviceAllocations());
        // a training-like loop: the same sizes every step reach the device only in the first one
        List<Storage> step = new ArrayList<>();
        long before = b.deviceAllocations();
        for (int iteration = 0; iteration < 5; iteration++) {
            for (long n : new long[] {17, 33 * 65, 3 * MIB / 4, 5 * MIB / 8}) step.add(b.allocate(DType.F32, n));
            if (iteration == 0) before = b.deviceAllocations();
            for (Storage s : step) s.free();
            step.clear();
        }
        assertEquals(before, b.deviceAllocations(), "steps after the first allocate nothing on the device");
        again.free();
        other.free();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void liveReservedAndPeakFollowTheBlocks(Device device) {
        CudaBackend b = fresh(device);
        MemoryStats empty = b.memoryStats();
        assertEquals(0, empty.live());
        Storage small = b.allocate(DType.F32, 100), large = b.allocate(DType.F64, 3 * MIB / 8); // 400 bytes, 3 MiB
        MemoryStats two = b.memoryStats();
        assertEquals(512 + 4 * MIB, two.live(), "live counts the blocks (size classes)");
        assertEquals(two.live(), two.reserved());
        assertEquals(two.live(), two.peak());
        large.free();
        MemoryStats one = b.memoryStats();
        assertEquals(512, one.live());
        assertEquals(512 + 4 * MIB, one.reserved(), "the freed block stays reserved in the cache");
        assertEquals(512 + 4 * MIB, one.peak());
        b.resetPeakMemory();
        assertEquals(512, b.memoryStats().peak());
        b.emptyCache();
        assertEquals(512, b.memoryStats().reserved(), "emptying the cache returns the free block");
        assertEquals(512, b.memoryStats().live());
        small.free();
        assertEquals(0, b.memoryStats().live());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void pastTheLimitTheCacheIsEmptiedThenOneLineSaysWhatDoesNotFit(Device device) {
        CudaBackend b = fresh(device);
        b.setMemoryLimit(8 * MIB);
        Storage a = b.allocate(DType.F32, MIB / 2); // 2 MiB
        Storage c = b.allocate(DType.F32, MIB);     // 4 MiB
        c.free();                                   // cached: reserved stays 6 MiB
        // 6 MiB do not fit beside the cached 4 MiB block, but do once the cache is emptied
        long calls = b.deviceAllocations();
        Storage d = b.allocate(DType.F32, 3 * MIB / 2);
        assertEquals(calls + 1, b.deviceAllocations());
        assertEquals(8 * MIB, b.memoryStats().reserved(), "the cached block went back to the device");
        OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> b.allocate(DType.F64, 3 * MIB / 8));
        String m = e.getMessage();
        assertTrue(m.startsWith("out of GPU memory: a tensor of 3.0 MiB does not fit (8.0 MiB live in tensors, 8.0 MiB reserved, device: "), m);
        assertTrue(m.contains(" free") && m.contains("limit 8.0 MiB"), m);
        assertEquals(1, m.lines().count(), m);
        d.free();
        a.free();
        assertEquals(0, b.memoryStats().live());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void storageTheCleanerFreesReturnsItsBlockFromItsThread(Device device) throws InterruptedException {
        CudaBackend b = fresh(device);
        for (int i = 0; i < 8; i++) b.allocate(DType.F32, 1000); // dropped at once: only the cleaner can free them
        assertEquals(8 * 4096, b.memoryStats().live());
        for (int tries = 0; tries < 100 && b.memoryStats().live() > 0; tries++) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(0, b.memoryStats().live(), "the cleaner returned every block");
        assertEquals(8 * 4096, b.memoryStats().reserved(), "to the cache");
    }
}
