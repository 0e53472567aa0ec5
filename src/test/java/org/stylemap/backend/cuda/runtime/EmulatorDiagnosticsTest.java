package org.stylemap.backend.cuda.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * What the emulator adds to running kernels: bugs that a GPU may or may not show are shown every
 * time (a missing barrier), refused (a barrier in divergent code, in strict mode) or reported
 * instead of hanging (a deadlock), and launches it cannot run are refused with the reason. These
 * kernels are wrong on purpose, so they never run on a GPU.
 */
class EmulatorDiagnosticsTest {
    private final EmulatorRuntime rt = TestRuntimes.emulator();

    @Test
    void aMissingBarrierGivesAWrongSumEveryRun() {
        int block = 256, blocks = 6, n = block * blocks;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = i / block + 1; // block b holds b + 1 everywhere
        for (int run = 0; run < 3; run++) {
            try (DeviceArrays d = new DeviceArrays(rt)) {
                long in = d.floats(x), right = d.alloc(4 * blocks), wrong = d.alloc(4 * blocks);
                rt.launch(rt.function("emu_sync", "block_sum"), Dim3.of(blocks), Dim3.of(block), 0,
                        new KernelArgs().ptr(in).ptr(right).i32(n));
                rt.launch(rt.function("emu_sync", "block_sum_missing_barrier"), Dim3.of(blocks), Dim3.of(block), 0,
                        new KernelArgs().ptr(in).ptr(wrong).i32(n));
                float[] good = d.floats(right, blocks), bad = d.floats(wrong, blocks);
                for (int b = 0; b < blocks; b++) {
                    assertEquals(block * (b + 1), good[b], "with the barrier, block " + b);
                    // Threads 0-127 add s[128..255] before threads 128-255 store them: they read
                    // 0xff bytes (NaN) in a worker's first block, or another block's values later.
                    assertNotEquals(block * (b + 1), bad[b], "without the barrier, run " + run + " block " + b);
                }
            }
        }
        try (DeviceArrays d = new DeviceArrays(rt)) {
            long out = d.alloc(4);
            rt.launch(rt.function("emu_sync", "block_sum_missing_barrier"), Dim3.of(1), Dim3.of(block), 0,
                    new KernelArgs().ptr(d.floats(x)).ptr(out).i32(block));
            assertTrue(Float.isNaN(d.floats(out, 1)[0]), "a single block reads unwritten shared memory: NaN every time");
        }
    }

    @Test
    void aBarrierInDivergentCodeIsRefusedInStrictMode() {
        int block = 256;
        try (DeviceArrays d = new DeviceArrays(rt)) {
            long out = d.alloc(4 * block);
            KernelFunction divergent = rt.function("emu_sync", "divergent_barrier");
            rt.setStrict(false);
            rt.launch(divergent, Dim3.of(1), Dim3.of(block), 0, new KernelArgs().ptr(out)); // exited threads count as arrived
            rt.setStrict(true);
            try {
                KernelRuntimeException e = assertThrows(KernelRuntimeException.class,
                        () -> rt.launch(divergent, Dim3.of(1), Dim3.of(block), 0, new KernelArgs().ptr(out)));
                assertEquals("kernel divergent_barrier, block (0,0,0) of grid (1,1,1) (block (256,1,1)): strict mode: threads "
                        + "passed different numbers of __syncthreads (a barrier in divergent code): 128 threads passed 0 "
                        + "(the first of them thread (1,0,0)), 128 threads passed 1", e.getMessage());
                // a kernel whose threads agree still runs in strict mode
                rt.launch(rt.function("emu_sync", "block_sum"), Dim3.of(1), Dim3.of(block), 0,
                        new KernelArgs().ptr(d.floats(new float[block])).ptr(out).i32(block));
            } finally {
                rt.setStrict(false);
            }
        }
    }

    @Test
    void threadsThatExitBeforeABarrierCountAsArrived() {
        int block = 256, blocks = 3;
        float[] x = new float[block * blocks];
        for (int i = 0; i < x.length; i++) x[i] = i;
        for (int first : new int[] {0, 1, 40, 255}) {
            try (DeviceArrays d = new DeviceArrays(rt)) {
                long out = d.alloc(4L * x.length);
                rt.launch(rt.function("emu_sync", "exit_before_barrier"), Dim3.of(blocks), Dim3.of(block), 0,
                        new KernelArgs().ptr(d.floats(x)).ptr(out).i32(first));
                float[] got = d.floats(out, x.length);
                for (int b = 0; b < blocks; b++) {
                    for (int t = 0; t < block; t++) {
                        int i = b * block + t;
                        if (t < first) assertTrue(Float.isNaN(got[i]), "thread " + t + " exited and wrote nothing");
                        else assertEquals(x[b * block + (t + 1 < block ? t + 1 : first)], got[i], "first " + first + " thread " + i);
                    }
                }
            }
        }
    }

    @Test
    void aDeadlockIsReportedNotHung() {
        try (DeviceArrays d = new DeviceArrays(rt)) {
            long out = d.alloc(4 * 64);
            KernelRuntimeException e = assertThrows(KernelRuntimeException.class, () -> rt.launch(
                    rt.function("emu_sync", "shuffle_barrier_deadlock"), Dim3.of(1), Dim3.of(64), 0, new KernelArgs().ptr(out)));
            assertEquals("kernel shuffle_barrier_deadlock, block (0,0,0) of grid (1,1,1) (block (64,1,1)): deadlock: 48 of 64 "
                    + "threads wait at __syncthreads, 0 have exited; warp 0: 16 lanes wait at __shfl_sync (mask 0xffffffff, "
                    + "missing lanes 0xffff0000)", e.getMessage());
            // the emulator is usable again after a failed launch
            float[] x = new float[64];
            Arrays.fill(x, 2f);
            rt.launch(rt.function("emu_sync", "block_sum"), Dim3.of(1), Dim3.of(64), 0, new KernelArgs().ptr(d.floats(x)).ptr(out).i32(64));
            assertEquals(128f, d.floats(out, 1)[0]);
        }
    }

    @Test
    void launchesTheGpuWouldRefuseAreRefused() {
        KernelFunction add = rt.function("emu_basics", "vector_add");
        KernelArgs args = new KernelArgs().ptr(0).ptr(0).ptr(0).i32(0);
        KernelRuntimeException tooMany = assertThrows(KernelRuntimeException.class, () -> rt.launch(add, Dim3.of(1), Dim3.of(2048), 0, args));
        assertTrue(tooMany.getMessage().startsWith("kernel vector_add: invalid block (2048,1,1)"), tooMany.getMessage());
        KernelRuntimeException shared = assertThrows(KernelRuntimeException.class,
                () -> rt.launch(add, Dim3.of(1), Dim3.of(32), 300_000, args));
        assertTrue(shared.getMessage().contains("300000 bytes of dynamic shared memory"), shared.getMessage());
    }

    @Test
    void argumentsThatDoNotMatchTheKernelAreRefused() {
        KernelFunction add = rt.function("emu_basics", "vector_add");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> rt.launch(add, Dim3.of(1), Dim3.of(32), 0, new KernelArgs().ptr(0).ptr(0).ptr(0).i64(5)));
        assertEquals("kernel emu_basics/vector_add takes (pppi) but was given (pppl); p pointer, i int, l long, f float, "
                + "d double", e.getMessage());
    }
}
