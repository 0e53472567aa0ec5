package org.stylemap.metrics;

import java.util.Arrays;
import org.stylemap.autograd.GradMode;
import org.stylemap.memory.Scope;
import org.stylemap.model.Encoder;
import org.stylemap.model.Generator;
import org.stylemap.tensor.Tensor;

/**
 * The runtime column of the paper: milliseconds per image, one image at a time, for projecting a
 * photo (one encoder pass) and for a whole local edit (projecting both photos, mixing, one
 * generator pass). Median over repeats after two warm-up runs; each run ends by reading a value
 * back, so an asynchronous device is timed to completion.
 */
public final class EditTiming {
    public record Result(double projectionMs, double editMs, int repeats) {}

    private static final int WARMUP = 2;

    private EditTiming() {}

    /** a, b: single photos [1, 3, H, W]; mask [1, H, W]. */
    public static Result measure(Generator g, Encoder e, Tensor a, Tensor b, Tensor mask, boolean wPlus, int repeats) {
        if (repeats < 1) throw new IllegalArgumentException("runtime: repeats must be at least 1, got " + repeats);
        double[] projection = new double[repeats], edit = new double[repeats];
        try (GradMode off = GradMode.off()) {
            for (int r = -WARMUP; r < repeats; r++) {
                double p = time(() -> e.forward(a));
                double t = time(() -> {
                    Tensor wa = e.forward(a), wb = e.forward(b);
                    return wPlus ? g.editWPlus(wa, wb, mask) : g.editW(wa, wb, mask);
                });
                if (r >= 0) {
                    projection[r] = p;
                    edit[r] = t;
                }
            }
        }
        return new Result(median(projection), median(edit), repeats);
    }

    private static double time(java.util.function.Supplier<Tensor> work) {
        try (Scope s = Scope.open()) {
            long t0 = System.nanoTime();
            work.get().sum().item();
            return (System.nanoTime() - t0) / 1e6;
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
