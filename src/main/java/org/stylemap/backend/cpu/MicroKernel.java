package org.stylemap.backend.cpu;

import java.util.Arrays;
import java.util.stream.Collectors;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 GEMM micro-kernels: an MR x NR tile of C (MR rows, two vectors of NR / 2 floats
 * per row) accumulates in registers while the kernel walks K over a packed A sliver and a packed
 * B sliver. A tile needs 2 * MR accumulators, two B vectors and one broadcast A value; it must
 * fit the register file or the JIT spills accumulators to the stack on every step. Each shape
 * has its own fully unrolled body because the accumulators must be locals for the JIT to keep
 * them in registers, and each body names its species as a constant so the Vector API calls
 * compile to vector instructions.
 *
 * Every shape sums each element of C in the same order (k ascending, one fused multiply-add
 * per step), so all shapes give the same bits for the same blocking.
 */
enum MicroKernel {
    /** 12 x 2 vectors: 24 accumulators + 3 = 27 of 32 registers (AVX-512: 12 x 32, and on 256-bit vectors 12 x 16). */
    ROWS_12(12, 96, Species.WIDE),

    /** 6 x 2 vectors: 12 accumulators + 3 = 15 of 16 registers (AVX2: 6 x 16, the shape of BLIS's Haswell/Zen sgemm). */
    ROWS_6(6, 144, Species.NARROW);

    /** Rows of the tile, and its columns (two vectors). */
    final int mr, nr;
    /**
     * Rows of the packed A block (MC x KC floats, kept in L2) that the kernel sweeps per B
     * sliver; measured best on Zen 5 among 4, 8, 16, 24 and 32 tiles: 144 (BLIS's Zen value
     * too) for the 6-row tile, 96 for the 12-row one (no measurable difference up to 144).
     */
    final int mc;

    MicroKernel(int mr, int mc, VectorSpecies<Float> species) {
        this.mr = mr;
        this.mc = mc;
        this.nr = 2 * species.length();
    }

    /**
     * tile[r * nr + j] = sum over k < kc of A(r, k) * bp[bo + k * nr + j], A(r, k) at
     * ap[ao + r * rowStride + k * kStride]. The tile goes to a small array rather than straight
     * to C, so no vector escapes into a call the JIT might not inline (it would be boxed).
     */
    void run(int kc, float[] ap, int ao, int rowStride, int kStride, float[] bp, int bo, float[] tile) {
        // A static call per shape, not an override per constant: measured faster on small products.
        if (this == ROWS_12) rows12(kc, ap, ao, rowStride, kStride, bp, bo, tile);
        else rows6(kc, ap, ao, rowStride, kStride, bp, bo, tile);
    }

    private static void rows12(int kc, float[] ap, int ao, int rowStride, int kStride, float[] bp, int bo, float[] tile) {
        VectorSpecies<Float> s = Species.WIDE;
        int l = s.length(), nr = 2 * l, rs = rowStride;
        FloatVector z = FloatVector.zero(s);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z,
                c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z,
                c80 = z, c81 = z, c90 = z, c91 = z, ca0 = z, ca1 = z, cb0 = z, cb1 = z;
        for (int k = 0; k < kc; k++, ao += kStride, bo += nr) {
            FloatVector b0 = FloatVector.fromArray(s, bp, bo), b1 = FloatVector.fromArray(s, bp, bo + l);
            FloatVector a;
            a = FloatVector.broadcast(s, ap[ao]);           c00 = a.fma(b0, c00); c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(s, ap[ao + rs]);      c10 = a.fma(b0, c10); c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(s, ap[ao + 2 * rs]);  c20 = a.fma(b0, c20); c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(s, ap[ao + 3 * rs]);  c30 = a.fma(b0, c30); c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(s, ap[ao + 4 * rs]);  c40 = a.fma(b0, c40); c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(s, ap[ao + 5 * rs]);  c50 = a.fma(b0, c50); c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(s, ap[ao + 6 * rs]);  c60 = a.fma(b0, c60); c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(s, ap[ao + 7 * rs]);  c70 = a.fma(b0, c70); c71 = a.fma(b1, c71);
            a = FloatVector.broadcast(s, ap[ao + 8 * rs]);  c80 = a.fma(b0, c80); c81 = a.fma(b1, c81);
            a = FloatVector.broadcast(s, ap[ao + 9 * rs]);  c90 = a.fma(b0, c90); c91 = a.fma(b1, c91);
            a = FloatVector.broadcast(s, ap[ao + 10 * rs]); ca0 = a.fma(b0, ca0); ca1 = a.fma(b1, ca1);
            a = FloatVector.broadcast(s, ap[ao + 11 * rs]); cb0 = a.fma(b0, cb0); cb1 = a.fma(b1, cb1);
        }
        int t = 0;
        c00.intoArray(tile, t); c01.intoArray(tile, t += l); c10.intoArray(tile, t += l); c11.intoArray(tile, t += l);
        c20.intoArray(tile, t += l); c21.intoArray(tile, t += l); c30.intoArray(tile, t += l); c31.intoArray(tile, t += l);
        c40.intoArray(tile, t += l); c41.intoArray(tile, t += l); c50.intoArray(tile, t += l); c51.intoArray(tile, t += l);
        c60.intoArray(tile, t += l); c61.intoArray(tile, t += l); c70.intoArray(tile, t += l); c71.intoArray(tile, t += l);
        c80.intoArray(tile, t += l); c81.intoArray(tile, t += l); c90.intoArray(tile, t += l); c91.intoArray(tile, t += l);
        ca0.intoArray(tile, t += l); ca1.intoArray(tile, t += l); cb0.intoArray(tile, t += l); cb1.intoArray(tile, t + l);
    }

    private static void rows6(int kc, float[] ap, int ao, int rowStride, int kStride, float[] bp, int bo, float[] tile) {
        VectorSpecies<Float> s = Species.NARROW;
        int l = s.length(), nr = 2 * l, rs = rowStride;
        FloatVector z = FloatVector.zero(s);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        for (int k = 0; k < kc; k++, ao += kStride, bo += nr) {
            FloatVector b0 = FloatVector.fromArray(s, bp, bo), b1 = FloatVector.fromArray(s, bp, bo + l);
            FloatVector a;
            a = FloatVector.broadcast(s, ap[ao]);          c00 = a.fma(b0, c00); c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(s, ap[ao + rs]);     c10 = a.fma(b0, c10); c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(s, ap[ao + 2 * rs]); c20 = a.fma(b0, c20); c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(s, ap[ao + 3 * rs]); c30 = a.fma(b0, c30); c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(s, ap[ao + 4 * rs]); c40 = a.fma(b0, c40); c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(s, ap[ao + 5 * rs]); c50 = a.fma(b0, c50); c51 = a.fma(b1, c51);
        }
        int t = 0;
        c00.intoArray(tile, t); c01.intoArray(tile, t += l); c10.intoArray(tile, t += l); c11.intoArray(tile, t += l);
        c20.intoArray(tile, t += l); c21.intoArray(tile, t += l); c30.intoArray(tile, t += l); c31.intoArray(tile, t += l);
        c40.intoArray(tile, t += l); c41.intoArray(tile, t += l); c50.intoArray(tile, t += l); c51.intoArray(tile, t + l);
    }

    /** "MRxNR", e.g. 12x32. */
    String label() {
        return mr + "x" + nr;
    }

    /** Property that overrides the choice, for measurements: -Dstylemap.gemm.kernel=6x16. */
    static final String OVERRIDE = "stylemap.gemm.kernel";

    /** The kernel for these features: the 12-row tile needs 27 registers, the 6-row tile 15. */
    static MicroKernel choose(CpuFeatures cpu, String override) {
        if (override != null) {
            for (MicroKernel k : values()) if (k.label().equals(override)) return k;
            throw new IllegalArgumentException("-D" + OVERRIDE + "=" + override + ": unknown GEMM micro-kernel (available on this machine: "
                    + Arrays.stream(values()).map(MicroKernel::label).collect(Collectors.joining(", ")) + ")");
        }
        return cpu.registers() >= 32 ? ROWS_12 : ROWS_6;
    }

    /**
     * The species of the two shapes: the 12-row tile uses the JIT's preferred width; the 6-row
     * tile at most 256 bits, so that an AVX-512 machine runs the AVX2 shape exactly as an AVX2
     * machine does (that is how the tests cover it everywhere).
     */
    private static final class Species {
        static final VectorSpecies<Float> WIDE = FloatVector.SPECIES_PREFERRED;
        static final VectorSpecies<Float> NARROW = WIDE.vectorBitSize() <= 256 ? WIDE : FloatVector.SPECIES_256;
    }
}
