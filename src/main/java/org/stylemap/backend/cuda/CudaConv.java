package org.stylemap.backend.cuda;

import java.util.EnumMap;
import java.util.Map;
import org.stylemap.backend.cpu.ConvGeom;
import org.stylemap.backend.cuda.runtime.Dim3;
import org.stylemap.backend.cuda.runtime.KernelArgs;
import org.stylemap.backend.cuda.runtime.KernelFunction;
import org.stylemap.backend.cuda.runtime.KernelRuntime;
import org.stylemap.tensor.DType;

/**
 * 2-D convolutions on a kernel runtime as implicit GEMMs (kernels/conv2d.cu), the twins of the
 * CPU's ConvKernels with the same geometry ({@link ConvGeom}: NCHW input, OIHW weight, dilation 1,
 * symmetric zero padding, groups). Every tensor is contiguous and given as the device address of
 * its element 0 (as CpuBackend makes them dense before its kernels). Outputs are overwritten and
 * must not alias inputs. Launches without waiting.
 */
public final class CudaConv {
    private enum Pass {
        FORWARD("conv2d_"), BACKWARD_DATA("conv2d_backward_data_"), BACKWARD_WEIGHT("conv2d_backward_weight_");

        final String prefix;

        Pass(String prefix) {
            this.prefix = prefix;
        }
    }

    private record Kernels(Map<Pass, Map<GemmTile, KernelFunction>> passes, Map<DType, KernelFunction> reduce) {
        KernelFunction of(Pass p, GemmTile t) {
            return passes.get(p).get(t);
        }
    }

    private static final PerRuntime<Kernels> KERNELS = new PerRuntime<>(rt -> {
        Map<Pass, Map<GemmTile, KernelFunction>> passes = new EnumMap<>(Pass.class);
        for (Pass p : Pass.values()) {
            Map<GemmTile, KernelFunction> m = new EnumMap<>(GemmTile.class);
            for (GemmTile t : GemmTile.values()) m.put(t, rt.function("conv2d", p.prefix + t.suffix));
            passes.put(p, m);
        }
        Map<DType, KernelFunction> reduce = new EnumMap<>(DType.class);
        reduce.put(DType.F32, rt.function("conv2d", "conv2d_backward_weight_reduce_f32"));
        reduce.put(DType.F64, rt.function("conv2d", "conv2d_backward_weight_reduce_f64"));
        return new Kernels(passes, reduce);
    });

    /**
     * Split-K for the weight gradient (its reduction runs over every image's pixels while its
     * result is small): split until the grid has this many blocks (two per SM of an H200) ...
     */
    private static final long SPLIT_TARGET_BLOCKS = 264;
    /** ... as long as each split keeps at least this many main-loop steps, and at most this many splits. */
    private static final long MIN_STEPS_PER_SPLIT = 16;
    private static final int MAX_SPLITS = 64;

    private CudaConv() {}

    /** y[N,O,OH,OW] = conv2d(x[N,C,H,W], w[O,C/G,KH,KW]), as ConvKernels.forward. */
    public static void forward(KernelRuntime rt, DType dtype, ConvGeom g, long x, long w, long y) {
        forward(rt, GemmTile.choose(dtype, g.og(), (long) g.n() * g.oh() * g.ow(), g.groups()), dtype, g, x, w, y);
    }

    static void forward(KernelRuntime rt, GemmTile tile, DType dtype, ConvGeom g, long x, long w, long y) {
        checkIndices(tile, dtype, g);
        if (g.n() == 0) return;
        rt.launch(KERNELS.get(rt).of(Pass.FORWARD, tile), tile.grid(g.og(), (long) g.n() * g.oh() * g.ow(), g.groups()),
                tile.block(), 0, geometry(new KernelArgs().ptr(x).ptr(w).ptr(y), g));
    }

    /**
     * dx[N,C,H,W] = the adjoint of {@link #forward} with respect to x applied to dy[N,O,OH,OW]
     * (conv_transpose2d: a stride-2 transposed convolution is this), as ConvKernels.backwardData.
     */
    public static void backwardData(KernelRuntime rt, DType dtype, ConvGeom g, long dy, long w, long dx) {
        backwardData(rt, GemmTile.choose(dtype, g.cg(), phaseColumns(g), (long) g.groups() * g.sh() * g.sw()), dtype, g, dy, w, dx);
    }

    static void backwardData(KernelRuntime rt, GemmTile tile, DType dtype, ConvGeom g, long dy, long w, long dx) {
        checkIndices(tile, dtype, g);
        if (g.n() == 0) return;
        long phases = (long) g.sh() * g.sw(), z = g.groups() * phases;
        if (z > GemmTile.MAX_GRID_YZ) throw new IllegalArgumentException("groups x stride phases too many for one launch: " + z);
        rt.launch(KERNELS.get(rt).of(Pass.BACKWARD_DATA, tile), tile.grid(g.cg(), phaseColumns(g), (int) z), tile.block(), 0,
                geometry(new KernelArgs().ptr(dy).ptr(w).ptr(dx), g));
    }

    /** The columns of the largest stride phase of backward data: its input pixels of all images. */
    private static long phaseColumns(ConvGeom g) {
        return (long) g.n() * GemmTile.ceilDiv(g.h(), g.sh()) * GemmTile.ceilDiv(g.w(), g.sw());
    }

    /**
     * Bytes of device workspace {@link #backwardWeight} needs for g (0: none): it splits the long
     * reduction over pixels when the weight gradient alone would make too few blocks.
     */
    public static long backwardWeightWorkspaceBytes(DType dtype, ConvGeom g) {
        return workspaceBytes(dtype, g, splits(weightTile(dtype, g), g));
    }

    /**
     * dw[O,C/G,KH,KW] = the adjoint of {@link #forward} with respect to w: the sum over images and
     * output pixels of dy times the matching input window, as ConvKernels.backwardWeight. workspace
     * is a device buffer of at least {@link #backwardWeightWorkspaceBytes} bytes (any value when
     * that is 0), free for this call until its work is done (stream order); the sums run in a fixed
     * order, so results repeat exactly.
     */
    public static void backwardWeight(KernelRuntime rt, DType dtype, ConvGeom g, long x, long dy, long dw, long workspace) {
        GemmTile tile = weightTile(dtype, g);
        backwardWeight(rt, tile, splits(tile, g), dtype, g, x, dy, dw, workspace);
    }

    static void backwardWeight(KernelRuntime rt, GemmTile tile, int splits, DType dtype, ConvGeom g, long x, long dy, long dw,
                               long workspace) {
        checkIndices(tile, dtype, g);
        long z = (long) g.groups() * splits;
        if (splits < 1 || z > GemmTile.MAX_GRID_YZ) throw new IllegalArgumentException("bad split count " + splits + " for " + g);
        Kernels k = KERNELS.get(rt);
        long cols = (long) g.cg() * g.kh() * g.kw();
        rt.launch(k.of(Pass.BACKWARD_WEIGHT, tile), tile.grid(g.og(), cols, (int) z), tile.block(), 0,
                geometry(new KernelArgs().ptr(x).ptr(dy).ptr(dw).ptr(workspace).i32(splits), g));
        if (splits > 1) {
            long count = (long) g.o() * cols;
            rt.launch(k.reduce.get(dtype), Dim3.cover(count, GemmTile.THREADS), Dim3.of(GemmTile.THREADS), 0,
                    new KernelArgs().ptr(workspace).ptr(dw).i64(count).i32(splits));
        }
    }

    static GemmTile weightTile(DType dtype, ConvGeom g) {
        return GemmTile.choose(dtype, g.og(), (long) g.cg() * g.kh() * g.kw(), g.groups());
    }

    /** How many ways backward weight splits its reduction with tile: 1 when the result alone fills the GPU. */
    static int splits(GemmTile tile, ConvGeom g) {
        long blocks = tile.blocks(g.og(), (long) g.cg() * g.kh() * g.kw(), g.groups());
        long steps = GemmTile.ceilDiv((long) g.n() * g.oh() * g.ow(), tile.bk());
        long s = Math.min(Math.min(GemmTile.ceilDiv(SPLIT_TARGET_BLOCKS, blocks), steps / MIN_STEPS_PER_SPLIT),
                Math.min(MAX_SPLITS, GemmTile.MAX_GRID_YZ / g.groups()));
        return (int) Math.max(1, s);
    }

    static long workspaceBytes(DType dtype, ConvGeom g, int splits) {
        return splits == 1 ? 0 : (long) splits * g.o() * g.cg() * g.kh() * g.kw() * dtype.bytes;
    }

    /** The kernels index within an image, a weight, and the pixels of all images with 32-bit ints. */
    private static void checkIndices(GemmTile tile, DType dtype, ConvGeom g) {
        tile.check(dtype);
        long limit = Integer.MAX_VALUE;
        if ((long) g.n() * g.oh() * g.ow() > limit || (long) g.n() * g.h() * g.w() > limit
                || (long) g.o() * g.cg() * g.kh() * g.kw() > limit || (long) g.c() * g.h() * g.w() > limit
                || (long) g.o() * g.oh() * g.ow() > limit)
            throw new IllegalArgumentException("convolution too large for 32-bit indices: " + g);
    }

    /** The geometry parameters every conv2d kernel ends with. */
    private static KernelArgs geometry(KernelArgs a, ConvGeom g) {
        return a.i32(g.n()).i32(g.c()).i32(g.h()).i32(g.w()).i32(g.o()).i32(g.kh()).i32(g.kw()).i32(g.sh()).i32(g.sw())
                .i32(g.ph()).i32(g.pw()).i32(g.groups()).i32(g.oh()).i32(g.ow());
    }
}
