package org.stylemap.backend.cuda;

import java.util.EnumMap;
import java.util.Map;
import org.stylemap.backend.cuda.runtime.Dim3;
import org.stylemap.backend.cuda.runtime.KernelArgs;
import org.stylemap.backend.cuda.runtime.KernelFunction;
import org.stylemap.backend.cuda.runtime.KernelRuntime;
import org.stylemap.tensor.DType;

/**
 * upfirdn2d on a kernel runtime (kernels/upfirdn2d.cu), the twin of the CPU's Upfirdn2dKernel with
 * Backend.upfirdn2d's arguments. Launches without waiting.
 */
public final class CudaUpfirdn2d {
    private static final int THREADS = 256;
    private static final PerRuntime<Map<DType, KernelFunction>> KERNELS = new PerRuntime<>(rt -> {
        Map<DType, KernelFunction> m = new EnumMap<>(DType.class);
        m.put(DType.F32, rt.function("upfirdn2d", "upfirdn2d_f32"));
        m.put(DType.F64, rt.function("upfirdn2d", "upfirdn2d_f64"));
        return m;
    });

    private CudaUpfirdn2d() {}

    /**
     * StyleGAN's upfirdn2d on the contiguous x [n,c,h,w] with the contiguous 2-D FIR kernel
     * k [kh,kw]: insert up-1 zeros after every sample, pad (negative pads crop), convolve with k (a
     * true convolution: k is flipped; with flipKernel k is used as stored, a cross-correlation),
     * keep every down-th sample. out [n,c,{@link #outSize}(h, upY, downY, padY0, padY1, kh),
     * outSize(w, upX, downX, padX0, padX1, kw)] is contiguous, overwritten, and must not alias x.
     * Pointers are device addresses of element 0.
     */
    public static void upfirdn2d(KernelRuntime rt, DType dtype, long x, int n, int c, int h, int w, long k, int kh, int kw,
                                 boolean flipKernel, int upX, int upY, int downX, int downY, int padX0, int padX1, int padY0,
                                 int padY1, long out) {
        if (n < 0 || c < 0 || h < 1 || w < 1 || kh < 1 || kw < 1 || upX < 1 || upY < 1 || downX < 1 || downY < 1)
            throw new IllegalArgumentException("bad upfirdn2d arguments: x " + n + "x" + c + "x" + h + "x" + w + ", k " + kh + "x" + kw
                    + ", up " + upX + "x" + upY + ", down " + downX + "x" + downY);
        int outH = outSize(h, upY, downY, padY0, padY1, kh), outW = outSize(w, upX, downX, padX0, padX1, kw);
        if (outH < 1 || outW < 1)
            throw new IllegalArgumentException("upfirdn2d output would be empty: " + outH + "x" + outW);
        long count = (long) n * c * outH * outW;
        if (count == 0) return;
        rt.launch(KERNELS.get(rt).get(dtype), Dim3.cover(count, THREADS), Dim3.of(THREADS), 0,
                new KernelArgs().ptr(x).ptr(k).ptr(out).i64((long) n * c).i32(h).i32(w).i32(kh).i32(kw).i32(flipKernel ? 1 : 0)
                        .i32(upX).i32(upY).i32(downX).i32(downY).i32(padX0).i32(padY0).i32(outH).i32(outW));
    }

    /** The output extent along one axis: (in*up + pad0 + pad1 - k) / down + 1 (Backend.upfirdn2d's formula). */
    public static int outSize(int in, int up, int down, int pad0, int pad1, int k) {
        return Math.floorDiv(in * up + pad0 + pad1 - k, down) + 1;
    }
}
