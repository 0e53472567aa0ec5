package org.stylemap.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.stylemap.backend.cuda.DeviceCheck.alloc;
import static org.stylemap.backend.cuda.DeviceCheck.assertClose;
import static org.stylemap.backend.cuda.DeviceCheck.cpu;
import static org.stylemap.backend.cuda.DeviceCheck.download;
import static org.stylemap.backend.cuda.DeviceCheck.tolerance;
import static org.stylemap.backend.cuda.DeviceCheck.upload;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.stylemap.backend.Backend;
import org.stylemap.backend.Backends;
import org.stylemap.backend.cpu.ConvGeom;
import org.stylemap.backend.cuda.runtime.DeviceArrays;
import org.stylemap.backend.cuda.runtime.KernelBundle;
import org.stylemap.backend.cuda.runtime.KernelRuntime;
import org.stylemap.backend.cuda.runtime.TestRuntimes;
import org.stylemap.memory.Scope;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/**
 * CudaConv (kernels/conv2d.cu) against the CPU backend's conv2d, conv2dBackwardData and
 * conv2dBackwardWeight on the same random tensors, every pass in every tile configuration (float32
 * large and small, float64), over geometries that hit every path: the StyleGAN shapes (3x3 same,
 * 1x1, 4x4 stride-2 down, the 3x3 stride-2 transposed up as backward data), groups, depthwise with
 * and without a channel multiplier, stride phases without taps (1x1 stride 2), padding wider than
 * the kernel's reach, asymmetric strides, odd sizes, channel counts that cross a tile; and the
 * weight gradient's split reduction (forced and as planned).
 */
class CudaConvTest {
    private static final String RUNTIMES = "org.stylemap.backend.cuda.runtime.TestRuntimes#all";

    /** n, c, h, w, o, kh, kw, sh, sw, ph, pw, groups. */
    private static final ConvGeom[] GEOMS = {
            new ConvGeom(2, 17, 9, 9, 33, 3, 3, 1, 1, 1, 1, 1),    // 3x3 same
            new ConvGeom(2, 33, 5, 7, 17, 1, 1, 1, 1, 0, 0, 1),    // 1x1
            new ConvGeom(2, 6, 10, 10, 5, 4, 4, 2, 2, 1, 1, 1),    // 4x4 stride 2 down
            new ConvGeom(2, 8, 9, 9, 12, 3, 3, 2, 2, 0, 0, 1),     // its backward data: 3x3 stride-2 transposed 4x4 -> 9x9
            new ConvGeom(1, 6, 7, 7, 4, 3, 3, 1, 1, 2, 2, 2),      // groups 2, padding 2
            new ConvGeom(2, 5, 8, 8, 5, 3, 3, 1, 1, 1, 1, 5),      // depthwise
            new ConvGeom(1, 3, 6, 6, 6, 4, 4, 2, 2, 1, 1, 3),      // depthwise, 2 outputs per channel, stride 2
            new ConvGeom(1, 3, 7, 7, 4, 1, 1, 2, 2, 0, 0, 1),      // 1x1 stride 2: phases without taps
            new ConvGeom(1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1),
            new ConvGeom(3, 65, 3, 3, 3, 3, 3, 1, 1, 1, 1, 1),     // deep and tiny
            new ConvGeom(1, 3, 17, 33, 2, 3, 3, 1, 2, 2, 0, 1),    // asymmetric stride and padding
            new ConvGeom(1, 4, 5, 5, 130, 3, 3, 1, 1, 1, 1, 1),    // crosses a 128 tile of output channels
    };

    private enum Pass { FORWARD, BACKWARD_DATA, BACKWARD_WEIGHT }

    @ParameterizedTest(name = "{0}")
    @MethodSource(RUNTIMES)
    void forwardMatchesTheCpu(TestRuntimes.Kind kind) {
        every(kind, Pass.FORWARD);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(RUNTIMES)
    void backwardDataMatchesTheCpu(TestRuntimes.Kind kind) {
        every(kind, Pass.BACKWARD_DATA);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(RUNTIMES)
    void backwardWeightMatchesTheCpu(TestRuntimes.Kind kind) {
        every(kind, Pass.BACKWARD_WEIGHT);
    }

    private static void every(TestRuntimes.Kind kind, Pass pass) {
        KernelRuntime rt = kind.open(KernelBundle.MAIN);
        Random r = new Random(21 + pass.ordinal());
        for (GemmTile tile : GemmTile.values())
            for (ConvGeom g : GEOMS) check(rt, tile, pass, g, 1, r);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(RUNTIMES)
    void backwardWeightSplitsSumToTheSameGradient(TestRuntimes.Kind kind) {
        KernelRuntime rt = kind.open(KernelBundle.MAIN);
        Random r = new Random(31);
        ConvGeom g = new ConvGeom(2, 6, 9, 11, 4, 3, 3, 1, 1, 1, 1, 2);
        for (GemmTile tile : GemmTile.values())
            for (int splits : new int[] {2, 3, 7, 40}) check(rt, tile, Pass.BACKWARD_WEIGHT, g, splits, r);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(RUNTIMES)
    void backwardWeightPlansItsOwnSplits(TestRuntimes.Kind kind) {
        KernelRuntime rt = kind.open(KernelBundle.MAIN);
        ConvGeom g = new ConvGeom(2, 4, 16, 16, 4, 3, 3, 1, 1, 1, 1, 1);
        for (DType dt : DType.values()) {
            // The small result (4 x 36) and the long reduction (512 pixels) make the plan split.
            assertTrue(CudaConv.backwardWeightWorkspaceBytes(dt, g) > 0, "no split planned for " + g);
            check(rt, null, Pass.BACKWARD_WEIGHT, g, 0, new Random(41));
        }
    }

    @Test
    void theSplitPlanFollowsTheShape() {
        // 512 -> 512 3x3 at 8x8, batch 16: K = 1024 pixels, 8 x 72 small tiles already fill the GPU.
        ConvGeom deep = new ConvGeom(16, 512, 8, 8, 512, 3, 3, 1, 1, 1, 1, 1);
        assertEquals(1, CudaConv.splits(CudaConv.weightTile(DType.F32, deep), deep));
        assertEquals(0, CudaConv.backwardWeightWorkspaceBytes(DType.F32, deep));
        // 32 -> 32 3x3 at 256x256, batch 16: 1 x 5 small tiles, K = 2^20 pixels: 53 splits make 265 blocks.
        ConvGeom wide = new ConvGeom(16, 32, 256, 256, 32, 3, 3, 1, 1, 1, 1, 1);
        GemmTile t = CudaConv.weightTile(DType.F32, wide);
        assertEquals(GemmTile.F32_64X64, t);
        assertEquals(53, CudaConv.splits(t, wide));
        assertEquals(53L * 32 * 32 * 9 * 4, CudaConv.backwardWeightWorkspaceBytes(DType.F32, wide));
        // The same at batch 1 and 16x16: 256 pixels are 16 steps, too few to split.
        ConvGeom small = new ConvGeom(1, 32, 16, 16, 32, 3, 3, 1, 1, 1, 1, 1);
        assertEquals(1, CudaConv.splits(CudaConv.weightTile(DType.F32, small), small));
    }

    /**
     * One pass of g on the device against the CPU backend. tile null: the public entry, which
     * chooses the tile and (backward weight) the splits; else that tile and splits.
     */
    private static void check(KernelRuntime rt, GemmTile tile, Pass pass, ConvGeom g, int splits, Random r) {
        DType dt = tile == null ? DType.F64 : tile.dtype;
        Backend cpu = Backends.cpu();
        int xn = g.n() * g.c() * g.h() * g.w(), wn = g.o() * g.cg() * g.kh() * g.kw(), yn = g.n() * g.o() * g.oh() * g.ow();
        double[] x = DeviceCheck.random(r, xn), w = DeviceCheck.random(r, wn), dy = DeviceCheck.random(r, yn);
        String what = pass + " " + (tile == null ? "planned" : tile) + (splits > 1 ? " " + splits + " splits" : "") + " " + g;
        try (Scope scope = Scope.open(); DeviceArrays d = new DeviceArrays(rt)) {
            Tensor cx = cpu(dt, x, g.n(), g.c(), g.h(), g.w()), cw = cpu(dt, w, g.o(), g.cg(), g.kh(), g.kw());
            Tensor cdy = cpu(dt, dy, g.n(), g.o(), g.oh(), g.ow());
            long px = upload(d, dt, x), pw = upload(d, dt, w), pdy = upload(d, dt, dy);
            Tensor expected;
            long out;
            long terms;
            switch (pass) {
                case FORWARD -> {
                    expected = Tensor.empty(dt, Device.CPU, g.n(), g.o(), g.oh(), g.ow());
                    cpu.conv2d(cx, cw, expected, g.sh(), g.sw(), g.ph(), g.pw(), g.groups());
                    out = alloc(d, dt, yn);
                    if (tile == null) CudaConv.forward(rt, dt, g, px, pw, out);
                    else CudaConv.forward(rt, tile, dt, g, px, pw, out);
                    terms = (long) g.cg() * g.kh() * g.kw();
                }
                case BACKWARD_DATA -> {
                    expected = Tensor.empty(dt, Device.CPU, g.n(), g.c(), g.h(), g.w());
                    cpu.conv2dBackwardData(cdy, cw, expected, g.sh(), g.sw(), g.ph(), g.pw(), g.groups());
                    out = alloc(d, dt, xn);
                    if (tile == null) CudaConv.backwardData(rt, dt, g, pdy, pw, out);
                    else CudaConv.backwardData(rt, tile, dt, g, pdy, pw, out);
                    terms = (long) g.og() * g.kh() * g.kw();
                }
                default -> {
                    expected = Tensor.empty(dt, Device.CPU, g.o(), g.cg(), g.kh(), g.kw());
                    cpu.conv2dBackwardWeight(cx, cdy, expected, g.sh(), g.sw(), g.ph(), g.pw(), g.groups());
                    out = alloc(d, dt, wn);
                    if (tile == null) {
                        long bytes = CudaConv.backwardWeightWorkspaceBytes(dt, g);
                        CudaConv.backwardWeight(rt, dt, g, px, pdy, out, bytes == 0 ? 0 : d.alloc(bytes));
                    } else {
                        long bytes = CudaConv.workspaceBytes(dt, g, splits);
                        CudaConv.backwardWeight(rt, tile, splits, dt, g, px, pdy, out, bytes == 0 ? 0 : d.alloc(bytes));
                    }
                    terms = (long) g.n() * g.oh() * g.ow();
                }
            }
            double[] want = expected.toDoubleArray();
            assertClose(what, want, download(d, dt, out, want.length), tolerance(dt, terms));
        }
    }
}
