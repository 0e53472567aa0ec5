package org.stylemap.backend.cuda.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The mma.sync wrappers of kernels/ptx.cuh (TF32 m16n8k8 with cp.async staging, BF16 m16n8k16
 * with ldmatrix) on a small GEMM, against a float64 reference whose operands are rounded here the
 * way the hardware rounds them (TF32: to 10 mantissa bits, ties away from zero, as cvt.rna; BF16:
 * to 7 bits, ties to even). With the operands rounded alike the only difference left is float
 * accumulation, so the tolerance is 2^-18 of the sum of |terms| (64 float ulps, room for the tensor
 * cores' own accumulation; the emulator stays within 0.02 of it). The unrounded reference lies
 * 50-300 tolerances away, and the test asserts that it lies outside, so it sees whether the
 * operands were rounded.
 */
class TensorCoreTest {
    private static final String SOURCE = "org.stylemap.backend.cuda.runtime.TestRuntimes#all";
    private static final int M = 32, N = 24;

    @ParameterizedTest(name = "{0}")
    @MethodSource(SOURCE)
    void tf32MatchesTheRoundedFloat64Product(TestRuntimes.Kind kind) {
        check(kind.open(), "mma_tf32_gemm", 40, 10);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(SOURCE)
    void bf16MatchesTheRoundedFloat64Product(TestRuntimes.Kind kind) {
        check(kind.open(), "mma_bf16_gemm", 48, 7);
    }

    private static void check(KernelRuntime rt, String kernel, int k, int mantissaBits) {
        Random r = new Random(7 + k);
        float[] a = random(r, M * k), b = random(r, k * N), c = random(r, M * N);
        float[] got;
        try (DeviceArrays d = new DeviceArrays(rt)) {
            long out = d.alloc(4L * M * N);
            rt.launch(rt.function("emu_mma", kernel), Dim3.of(N / 8, M / 16), Dim3.of(32), 0,
                    new KernelArgs().ptr(d.floats(a)).ptr(d.floats(b)).ptr(d.floats(c)).ptr(out).i32(N).i32(k));
            got = d.floats(out, M * N);
        }
        boolean tf32 = mantissaBits == 10;
        double worstRounded = 0, worstUnrounded = 0;
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                double rounded = c[i * N + j], unrounded = c[i * N + j], scale = Math.abs(c[i * N + j]);
                for (int p = 0; p < k; p++) {
                    double ra = round(a[i * k + p], mantissaBits, tf32), rb = round(b[p * N + j], mantissaBits, tf32);
                    rounded += ra * rb;
                    unrounded += (double) a[i * k + p] * b[p * N + j];
                    scale += Math.abs(ra * rb);
                }
                double tolerance = Math.scalb(scale, -18);
                worstRounded = Math.max(worstRounded, Math.abs(got[i * N + j] - rounded) / tolerance);
                worstUnrounded = Math.max(worstUnrounded, Math.abs(got[i * N + j] - unrounded) / tolerance);
            }
        }
        assertTrue(worstRounded <= 1, kernel + ": error " + worstRounded + " tolerances from the rounded reference");
        assertTrue(worstUnrounded > 1, kernel + ": the unrounded reference is only " + worstUnrounded
                + " tolerances away, so this test could not tell rounded operands from unrounded ones");
    }

    /**
     * x to mantissaBits bits after the point: ties away from zero (tf32, cvt.rna) or to even (bf16),
     * by arithmetic on the value (independent of the kernels' bit manipulation).
     */
    static double round(float x, int mantissaBits, boolean tiesAway) {
        if (x == 0) return x;
        double ulp = Math.scalb(1.0, Math.max(Math.getExponent(x), Float.MIN_EXPONENT) - mantissaBits);
        double q = Math.abs(x) / ulp;
        double n = tiesAway ? Math.floor(q + 0.5) : Math.rint(q);
        return Math.copySign(n * ulp, x);
    }

    private static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = 2 * r.nextFloat() - 1;
        return v;
    }
}
