package org.stylemap.backend.cuda;

import static org.stylemap.backend.cuda.DeviceCheck.alloc;
import static org.stylemap.backend.cuda.DeviceCheck.assertClose;
import static org.stylemap.backend.cuda.DeviceCheck.cpu;
import static org.stylemap.backend.cuda.DeviceCheck.download;
import static org.stylemap.backend.cuda.DeviceCheck.tolerance;
import static org.stylemap.backend.cuda.DeviceCheck.upload;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.stylemap.backend.Backends;
import org.stylemap.backend.cuda.runtime.DeviceArrays;
import org.stylemap.backend.cuda.runtime.KernelBundle;
import org.stylemap.backend.cuda.runtime.KernelRuntime;
import org.stylemap.backend.cuda.runtime.TestRuntimes;
import org.stylemap.memory.Scope;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/**
 * CudaUpfirdn2d (kernels/upfirdn2d.cu) against the CPU backend's upfirdn2d on the same random
 * tensors, in float32 and float64, with the flip flag on and off: StyleGAN's 2x upsampling and 2x
 * downsampling with a 4x4 kernel, a plain blur, different factors per axis, pads of both signs
 * (negative ones crop), a non-square kernel, and odd sizes.
 */
class CudaUpfirdn2dTest {
    /** x [n,c,h,w], k [kh,kw], up and down per axis, pads x0, x1, y0, y1. */
    private record Case(int n, int c, int h, int w, int kh, int kw, int upX, int upY, int downX, int downY,
                        int padX0, int padX1, int padY0, int padY1) {
        int outH() {
            return CudaUpfirdn2d.outSize(h, upY, downY, padY0, padY1, kh);
        }

        int outW() {
            return CudaUpfirdn2d.outSize(w, upX, downX, padX0, padX1, kw);
        }
    }

    private static final Case[] CASES = {
            new Case(2, 3, 5, 7, 4, 4, 2, 2, 1, 1, 2, 1, 2, 1),     // StyleGAN upsample 2x
            new Case(2, 3, 9, 8, 4, 4, 1, 1, 2, 2, 1, 1, 1, 1),     // StyleGAN downsample 2x
            new Case(1, 4, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),     // blur
            new Case(1, 2, 7, 5, 3, 4, 2, 2, 1, 1, -1, 2, 1, -2),   // negative pads crop, non-square kernel
            new Case(1, 2, 6, 7, 4, 3, 2, 1, 1, 2, 0, 3, -1, 2),    // different factors per axis
            new Case(1, 1, 17, 1, 1, 1, 2, 2, 2, 2, 0, 1, 0, 1),    // 1x1 kernel, up and down
            new Case(3, 1, 1, 3, 2, 2, 3, 2, 1, 1, 1, 1, 1, 0),     // up 3, a single row
    };

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.stylemap.backend.cuda.runtime.TestRuntimes#all")
    void matchesTheCpu(TestRuntimes.Kind kind) {
        KernelRuntime rt = kind.open(KernelBundle.MAIN);
        Random r = new Random(51);
        for (DType dt : DType.values())
            for (Case c : CASES)
                for (boolean flip : new boolean[] {false, true}) check(rt, dt, c, flip, r);
    }

    private static void check(KernelRuntime rt, DType dt, Case c, boolean flip, Random r) {
        double[] x = DeviceCheck.random(r, c.n * c.c * c.h * c.w), k = DeviceCheck.random(r, c.kh * c.kw);
        int outN = c.n * c.c * c.outH() * c.outW();
        try (Scope scope = Scope.open(); DeviceArrays d = new DeviceArrays(rt)) {
            Tensor expected = Tensor.empty(dt, Device.CPU, c.n, c.c, c.outH(), c.outW());
            Backends.cpu().upfirdn2d(cpu(dt, x, c.n, c.c, c.h, c.w), cpu(dt, k, c.kh, c.kw), flip, c.upX, c.upY, c.downX, c.downY,
                    c.padX0, c.padX1, c.padY0, c.padY1, expected);
            long out = alloc(d, dt, outN);
            CudaUpfirdn2d.upfirdn2d(rt, dt, upload(d, dt, x), c.n, c.c, c.h, c.w, upload(d, dt, k), c.kh, c.kw, flip, c.upX, c.upY,
                    c.downX, c.downY, c.padX0, c.padX1, c.padY0, c.padY1, out);
            assertClose(dt.label + " " + c + (flip ? " flipped" : ""), expected.toDoubleArray(), download(d, dt, out, outN),
                    tolerance(dt, (long) c.kh * c.kw));
        }
    }
}
