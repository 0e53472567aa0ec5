package org.stylemap.backend.cuda.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The runtime layer and the emulator's CUDA semantics, through the KernelRuntime interface the
 * CUDA backend uses, on every runtime there is (the GPU shows as aborted where there is none):
 * indexing, argument packing, copies, dynamic shared memory, atomics across blocks, block barriers
 * and the warp-synchronous calls. Expected values are computed here from CUDA's documented
 * semantics, independently of the kernels.
 */
class KernelRuntimeTest {
    private static final String SOURCE = "org.stylemap.backend.cuda.runtime.TestRuntimes#all";

    @ParameterizedTest(name = "{0}")
    @MethodSource(SOURCE)
    void vectorAddOverOddSizesAndManyBlocks(TestRuntimes.Kind kind) {
        KernelRuntime rt = kind.open();
        KernelFunction add = rt.function("emu_basics", "vector_add");
        Random r = new Random(1);
        for (int n : new int[] {1, 17, 255, 257, 100_003}) {
            for (int block : new int[] {32, 96, 256}) {
                float[] a = new float[n], b = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = r.nextFloat() - 0.5f;
                    b[i] = r.nextFloat() * 100;
                }
                try (DeviceArrays d = new DeviceArrays(rt)) {
                    long c = d.alloc(4L * (n + 5));
                    rt.launch(add, Dim3.cover(n, block), Dim3.of(block), 0,
                            new KernelArgs().ptr(d.floats(a)).ptr(d.floats(b)).ptr(c).i32(n));
                    float[] got = d.floats(c, n + 5);
                    for (int i = 0; i < n; i++) assertEquals(a[i] + b[i], got[i], "n " + n + " block " + block + " element " + i);
                    for (int i = n; i < n + 5; i++)
                        assertEquals(-1, Float.floatToRawIntBits(got[i]), "written past n: n " + n + " element " + i);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(SOURCE)
    void everyThreadSeesItsIndicesIn3D(TestRuntimes.Kind kind) {
        KernelRuntime rt = kind.open();
        Dim3 grid = Dim3.of(3, 2, 2), block = Dim3.of(4, 3, 2);
        int threads = (int) (grid.count() * block.count());
        try (DeviceArrays d = new DeviceArrays(rt)) {
            long out = d.alloc(48L * threads);
            rt.launch(rt.function("emu_basics", "thread_indices"), grid, block, 0, new KernelArgs().ptr(out));
            int[] got = d.ints(out, 12 * threads);
            int at = 0;
            for (int bz = 0; bz < 2; bz++) for (int by = 0; by < 2; by++) for (int bx = 0; bx < 3; bx++)
                for (int tz = 0; tz < 2; tz++) for (int ty = 0; ty < 3; ty++) for (int tx = 0; tx < 4; tx++) {
                    int[] expected = {tx, ty, tz, bx, by, bz, 4, 3, 2, 3, 2, 2};
                    int[] actual = Arrays.copyOfRange(got, 12 * at, 12 * at + 12);
                    assertArrayEquals(expected, actual, "thread " + at);
                    at++;
                }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(SOURCE)
    void argumentsOfEveryTypeArriveBitExact(TestRuntimes.Kind kind) {
        KernelRuntime rt = kind.open();
        try (DeviceArrays d = new DeviceArrays(rt)) {
            long out = d.alloc(8 * 7);
            long pointer = d.alloc(64) + 12; // an interior pointer
            int i = -123_456_789;
            long l = -0x123_4567_89AB_CDEFL;
            float f = 3.25e-30f;
            double x = -Math.PI * 1e200;
            int u = 0xFFFF_FFF0;
            rt.launch(rt.function("emu_basics", "echo_args"), Dim3.of(1), Dim3.of(1), 0,
                    new KernelArgs().ptr(out).ptr(pointer).i32(i).i64(l).f32(f).f64(x).i32(u).f32(-0.0f));
            long[] got = d.longs(out, 7);
            assertEquals(pointer, got[0], "pointer");
            assertEquals(i, got[1], "int (sign-extended by the kernel)");
            assertEquals(l, got[2], "long");
            assertEquals(Float.floatToRawIntBits(f), got[3], "float bits");
            assertEquals(Double.doubleToRawLongBits(x), got[4], "double bits");
            assertEquals(u & 0xFFFF_FFFFL, got[5], "unsigned (zero-extended by the kernel)");
            assertEquals(Float.floatToRawIntBits(-0.0f), got[6], "negative zero");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(SOURCE)
    void copiesAndMemsetMoveExactlyTheirBytes(TestRuntimes.Kind kind) {
        KernelRuntime rt = kind.open();
        int n = 1000;
        int[] v = new int[n];
        for (int i = 0; i < n; i++) v[i] = i * 7919;
        try (DeviceArrays d = new DeviceArrays(rt); Arena arena = Arena.ofConfined()) {
            long src = d.ints(v), dst = d.alloc(4L * n);
            rt.copyOnDevice(dst + 40, src + 80, 4L * 100);   // ints 20..119 to 10..109
            rt.memset(dst + 4L * 500, 0x5a, 4L * 3 + 2);      // 3 ints and half of the fourth
            int[] got = d.ints(dst, n);
            for (int k = 0; k < n; k++) {
                int expected = k >= 10 && k < 110 ? v[k + 10] : k >= 500 && k < 503 ? 0x5a5a5a5a : k == 503 ? 0xffff5a5a : -1;
                assertEquals(expected, got[k], "int " + k);
            }
            MemorySegment partial = arena.allocate(8);
            rt.copyToHost(partial, src + 4, 8);
            assertArrayEquals(new int[] {v[1], v[2]}, partial.toArray(ValueLayout.JAVA_INT));
            assertThrows(IllegalArgumentException.class, () -> rt.copyToHost(MemorySegment.ofArray(new int[2]), src, 8),
                    "heap segments are refused (the driver needs native memory)");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(SOURCE)
    void dynamicSharedMemoryHoldsEachBlocksTile(TestRuntimes.Kind kind) {
        KernelRuntime rt = kind.open();
        int n = 1000, block = 128;
        float[] in = new float[n];
        for (int i = 0; i < n; i++) in[i] = i;
        try (DeviceArrays d = new DeviceArrays(rt)) {
            long out = d.alloc(4L * n);
            rt.launch(rt.function("emu_basics", "reverse_in_blocks"), Dim3.cover(n, block), Dim3.of(block), 4 * block,
                    new KernelArgs().ptr(d.floats(in)).ptr(out).i32(n));
            float[] got = d.floats(out, n);
            for (int start = 0; start < n; start += block) {
                int count = Math.min(block, n - start);
                for (int t = 0; t < count; t++) assertEquals(in[start + count - 1 - t], got[start + t], "element " + (start + t));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(SOURCE)
    void atomicsFromManyBlocksAddUp(TestRuntimes.Kind kind) {
        KernelRuntime rt = kind.open();
        int n = 5003;
        Random r = new Random(2);
        int[] v = new int[n];
        long intSum = 0, uintSum = 0, floatSum = 0;
        int max = Integer.MIN_VALUE, min = Integer.MAX_VALUE, umax = 0;
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(2001) - 1000;
            intSum += v[i];
            uintSum += v[i] & 0xff;
            floatSum += v[i];
            max = Math.max(max, v[i]);
            min = Math.min(min, v[i]);
            umax = Integer.compareUnsigned(umax, v[i]) >= 0 ? umax : v[i];
        }
        try (DeviceArrays d = new DeviceArrays(rt)) {
            long iSum = d.ints(0), uSum = d.ints(0), fSum = d.floats(0f), iMax = d.ints(Integer.MIN_VALUE), uMax = d.ints(0),
                    iMin = d.ints(Integer.MAX_VALUE), cas = d.ints(0);
            rt.launch(rt.function("emu_basics", "atomics"), Dim3.cover(n, 64), Dim3.of(64), 0, new KernelArgs()
                    .ptr(d.ints(v)).i32(n).ptr(iSum).ptr(uSum).ptr(fSum).ptr(iMax).ptr(uMax).ptr(iMin).ptr(cas));
            assertEquals(intSum, d.ints(iSum, 1)[0], "atomicAdd int");
            assertEquals(uintSum, d.ints(uSum, 1)[0], "atomicAdd unsigned");
            assertEquals((float) floatSum, d.floats(fSum, 1)[0], "atomicAdd float (integers: exact in any order)");
            assertEquals(max, d.ints(iMax, 1)[0], "atomicMax int");
            assertEquals(umax, d.ints(uMax, 1)[0], "atomicMax unsigned");
            assertEquals(min, d.ints(iMin, 1)[0], "atomicMin int");
            assertEquals(n, d.ints(cas, 1)[0], "a counter on atomicCAS");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(SOURCE)
    void sharedMemoryReductionWithBarriers(TestRuntimes.Kind kind) {
        KernelRuntime rt = kind.open();
        Random r = new Random(3);
        int n = 10_007;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = 2 * r.nextFloat() - 1;
        for (int block : new int[] {32, 256, 1024}) {
            Dim3 grid = Dim3.cover(n, block);
            try (DeviceArrays d = new DeviceArrays(rt)) {
                long out = d.alloc(4L * grid.x());
                rt.launch(rt.function("emu_sync", "block_sum"), grid, Dim3.of(block), 0,
                        new KernelArgs().ptr(d.floats(x)).ptr(out).i32(n));
                float[] got = d.floats(out, grid.x());
                for (int b = 0; b < grid.x(); b++) {
                    double sum = 0, abs = 0;
                    for (int i = b * block; i < Math.min(n, (b + 1) * block); i++) {
                        sum += x[i];
                        abs += Math.abs(x[i]);
                    }
                    assertEquals(sum, got[b], 1e-6 * abs, "block " + b + " of " + block);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(SOURCE)
    void syncthreadsCountAndOr(TestRuntimes.Kind kind) {
        KernelRuntime rt = kind.open();
        int block = 128;
        int[] in = new int[3 * block];
        Random r = new Random(4);
        int randomPositives = 0;
        for (int t = 0; t < block; t++) {
            in[t] = 1 + t;          // block 0: all positive
            in[block + t] = -t;     // block 1: none positive
            in[2 * block + t] = r.nextInt(3) - 1;
            if (in[2 * block + t] > 0) randomPositives++;
        }
        try (DeviceArrays d = new DeviceArrays(rt)) {
            long out = d.alloc(4 * 9);
            rt.launch(rt.function("emu_sync", "barrier_votes"), Dim3.of(3), Dim3.of(block), 0, new KernelArgs().ptr(d.ints(in)).ptr(out));
            assertArrayEquals(new int[] {block, 1, 1, 0, 0, 0, randomPositives, 0, randomPositives > 0 ? 1 : 0}, d.ints(out, 9));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(SOURCE)
    void theFourShufflesAtEveryWidth(TestRuntimes.Kind kind) {
        KernelRuntime rt = kind.open();
        int n = 128;
        int[] in = new int[n];
        for (int i = 0; i < n; i++) in[i] = 1000 + i * 13;
        for (int width : new int[] {32, 16, 8, 4}) {
            for (int[] p : new int[][] {{3, 5, 6}, {1, 1, 9}, {7, 30, 31}}) {
                int up = p[0], down = p[1], xor = p[2];
                try (DeviceArrays d = new DeviceArrays(rt)) {
                    long out = d.alloc(16L * n);
                    rt.launch(rt.function("emu_warp", "warp_shuffles"), Dim3.of(2), Dim3.of(64), 0,
                            new KernelArgs().ptr(d.ints(in)).ptr(out).i32(width).i32(up).i32(down).i32(xor));
                    int[] got = d.ints(out, 4 * n);
                    for (int i = 0; i < n; i++) {
                        int lane = i % 32, warpBase = i - lane, groupStart = lane / width * width;
                        String at = "width " + width + " thread " + i + " ";
                        // __shfl_sync: the source lane taken modulo width, within the caller's group
                        assertEquals(in[warpBase + groupStart + (7 * lane + 3) % width], got[4 * i], at + "shfl");
                        // __shfl_up_sync: lanes below delta within their group keep their own value
                        int upLane = lane % width >= up ? lane - up : lane;
                        assertEquals(in[warpBase + upLane], got[4 * i + 1], at + "shfl_up " + up);
                        // __shfl_down_sync: lanes whose source falls past their group keep their own value
                        int downLane = lane % width + down < width ? lane + down : lane;
                        assertEquals(in[warpBase + downLane], got[4 * i + 2], at + "shfl_down " + down);
                        // __shfl_xor_sync: a group may read earlier groups, never later ones
                        int xorLane = lane ^ xor;
                        if (xorLane / width > lane / width) xorLane = lane;
                        assertEquals(in[warpBase + xorLane], got[4 * i + 3], at + "shfl_xor " + xor);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(SOURCE)
    void ballotAnyAllOverWholeAndHalfWarps(TestRuntimes.Kind kind) {
        KernelRuntime rt = kind.open();
        int n = 128;
        int[] in = new int[n];
        Random r = new Random(5);
        for (int i = 32; i < 64; i++) in[i] = i;          // warp 1: all true
        for (int i = 64; i < 96; i++) in[i] = r.nextInt(2); // warp 2: random
        in[96 + 17] = -4;                                  // warp 3: only lane 17
        try (DeviceArrays d = new DeviceArrays(rt)) {
            long out = d.alloc(16L * n);
            rt.launch(rt.function("emu_warp", "warp_votes"), Dim3.of(1), Dim3.of(n), 0, new KernelArgs().ptr(d.ints(in)).ptr(out));
            int[] got = d.ints(out, 4 * n);
            for (int w = 0; w < 4; w++) {
                int ballot = 0;
                for (int lane = 0; lane < 32; lane++) if (in[32 * w + lane] != 0) ballot |= 1 << lane;
                for (int lane = 0; lane < 32; lane++) {
                    int i = 32 * w + lane;
                    assertEquals(ballot, got[4 * i], "ballot, warp " + w + " lane " + lane);
                    assertEquals(ballot != 0 ? 1 : 0, got[4 * i + 1], "any, warp " + w);
                    assertEquals(ballot == -1 ? 1 : 0, got[4 * i + 2], "all, warp " + w);
                    assertEquals(lane < 16 ? ballot & 0xffff : 0, got[4 * i + 3], "ballot of lanes 0-15, warp " + w);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(SOURCE)
    void warpSumShufflesDoubles(TestRuntimes.Kind kind) {
        KernelRuntime rt = kind.open();
        int n = 256;
        double[] x = new double[n];
        Random r = new Random(6);
        for (int i = 0; i < n; i++) x[i] = r.nextGaussian() * 1e10;
        try (DeviceArrays d = new DeviceArrays(rt)) {
            long out = d.alloc(8L * n / 32);
            rt.launch(rt.function("emu_warp", "warp_sum"), Dim3.of(2), Dim3.of(128), 0, new KernelArgs().ptr(d.doubles(x)).ptr(out));
            double[] got = d.doubles(out, n / 32);
            for (int w = 0; w < n / 32; w++) {
                double sum = 0, abs = 0;
                for (int i = 32 * w; i < 32 * w + 32; i++) {
                    sum += x[i];
                    abs += Math.abs(x[i]);
                }
                assertEquals(sum, got[w], 1e-14 * abs, "warp " + w);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(SOURCE)
    void unknownFamiliesAndKernelsAreNamed(TestRuntimes.Kind kind) {
        KernelRuntime rt = kind.open();
        KernelRuntimeException family = assertThrows(KernelRuntimeException.class, () -> rt.function("no_such_family", "vector_add"));
        assertTrue(family.getMessage().contains("no kernel family 'no_such_family'"), family.getMessage());
        KernelRuntimeException kernel = assertThrows(KernelRuntimeException.class, () -> rt.function("emu_basics", "no_such_kernel"));
        assertTrue(kernel.getMessage().contains("emu_basics has no kernel no_such_kernel"), kernel.getMessage());
    }
}
