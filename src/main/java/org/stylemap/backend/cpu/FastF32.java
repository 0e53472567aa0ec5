package org.stylemap.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.stylemap.backend.BinaryOp;
import org.stylemap.backend.MergedStrides;
import org.stylemap.backend.UnaryOp;
import org.stylemap.tensor.Tensor;

/**
 * Vector API paths for the float32 elementwise cases that dominate training time: contiguous
 * operands, a broadcast scalar, or operands broadcast along rows. Each method returns false when
 * the case is not covered, and the caller falls back to the scalar reference in {@link CpuBackend}.
 */
final class FastF32 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final int GRAIN = 1 << 15;

    private FastF32() {}

    static boolean unary(UnaryOp op, float p, MemorySegment x, long xOff, MemorySegment out, long oOff, long n) {
        switch (op) {
            case SCALE, ADD_SCALAR, NEG, LEAKY_RELU, LEAKY_RELU_SLOPE -> { }
            default -> { return false; }
        }
        if (n > Integer.MAX_VALUE) return false;
        Parallel.forRange((int) n, GRAIN, (from, to) -> {
            int i = from;
            for (int upper = from + S.loopBound(to - from); i < upper; i += S.length()) {
                FloatVector v = FloatVector.fromMemorySegment(S, x, (xOff + i) * 4, NATIVE);
                FloatVector r = switch (op) {
                    case SCALE -> v.mul(p);
                    case ADD_SCALAR -> v.add(p);
                    case NEG -> v.neg();
                    case LEAKY_RELU -> v.blend(v.mul(p), v.compare(VectorOperators.LE, 0f));
                    default -> FloatVector.broadcast(S, 1f).blend(FloatVector.broadcast(S, p), v.compare(VectorOperators.LE, 0f));
                };
                r.intoMemorySegment(out, (oOff + i) * 4, NATIVE);
            }
            for (; i < to; i++) {
                float v = x.getAtIndex(ValueLayout.JAVA_FLOAT, xOff + i);
                out.setAtIndex(ValueLayout.JAVA_FLOAT, oOff + i, (float) op.apply(v, p));
            }
        });
        return true;
    }

    /**
     * a and b are out-shaped views and out is contiguous; covered: each operand contiguous or one
     * broadcast value (split into parallel chunks), or, after {@link MergedStrides}, rows
     * along which each operand is contiguous or one repeated value (a bias per channel, a
     * statistic per image).
     */
    static boolean binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        switch (op) {
            case ADD, SUB, MUL, DIV, MAX, MIN -> { }
            default -> { return false; }
        }
        long n = out.numel();
        if (n > Integer.MAX_VALUE || !out.isContiguous()) return false;
        MemorySegment sa = CpuBackend.seg(a), sb = CpuBackend.seg(b), so = CpuBackend.seg(out);
        long ao = a.offset(), bo = b.offset(), oo = out.offset();
        boolean aScalar = isBroadcastScalar(a), bScalar = isBroadcastScalar(b);
        if ((a.isContiguous() || aScalar) && (b.isContiguous() || bScalar)) {
            Parallel.forRange((int) n, GRAIN, (from, to) -> binaryRow(op, sa, aScalar ? ao : ao + from, aScalar,
                    sb, bScalar ? bo : bo + from, bScalar, so, oo + from, to - from));
            return true;
        }
        MergedStrides l = MergedStrides.of(out.shape(), a.strides(), b.strides(), out.strides());
        long ia = l.inner(0), ib = l.inner(1);
        if (ia > 1 || ib > 1 || ia < 0 || ib < 0) return false;
        Strided.forEachRow(l.shape(), l.strides(), new long[] {ao, bo, oo}, (offs, len) ->
                binaryRow(op, sa, offs[0], ia == 0, sb, offs[1], ib == 0, so, offs[2], len));
        return true;
    }

    /**
     * out[oo + i] = a[i] op b[i] for i < len, where a[i] is sa[ao + i], or sa[ao] for every i
     * when aRepeat (likewise b). Each loop reads its operands unconditionally: a load that only
     * some calls make (a repeated operand is one element long) lets C2 hoist its bounds check
     * from the profile, and the check then fails and deoptimises the method again and again.
     * The ragged end is one masked vector.
     */
    private static void binaryRow(BinaryOp op, MemorySegment sa, long ao, boolean aRepeat, MemorySegment sb, long bo,
                                  boolean bRepeat, MemorySegment so, long oo, int len) {
        int bulk = S.loopBound(len), l = S.length();
        FloatVector va = aRepeat ? FloatVector.broadcast(S, sa.getAtIndex(ValueLayout.JAVA_FLOAT, ao)) : null;
        FloatVector vb = bRepeat ? FloatVector.broadcast(S, sb.getAtIndex(ValueLayout.JAVA_FLOAT, bo)) : null;
        long a = ao * 4, b = bo * 4, o = oo * 4;
        if (aRepeat && bRepeat) {
            FloatVector r = apply(op, va, vb);
            for (int i = 0; i < bulk; i += l) r.intoMemorySegment(so, o + i * 4L, NATIVE);
        } else if (aRepeat) {
            for (int i = 0; i < bulk; i += l)
                apply(op, va, FloatVector.fromMemorySegment(S, sb, b + i * 4L, NATIVE)).intoMemorySegment(so, o + i * 4L, NATIVE);
        } else if (bRepeat) {
            for (int i = 0; i < bulk; i += l)
                apply(op, FloatVector.fromMemorySegment(S, sa, a + i * 4L, NATIVE), vb).intoMemorySegment(so, o + i * 4L, NATIVE);
        } else {
            for (int i = 0; i < bulk; i += l)
                apply(op, FloatVector.fromMemorySegment(S, sa, a + i * 4L, NATIVE), FloatVector.fromMemorySegment(S, sb, b + i * 4L, NATIVE))
                        .intoMemorySegment(so, o + i * 4L, NATIVE);
        }
        if (bulk == len) return;
        VectorMask<Float> m = S.indexInRange(bulk, len);
        long t = bulk * 4L;
        FloatVector ta = aRepeat ? va : FloatVector.fromMemorySegment(S, sa, a + t, NATIVE, m);
        FloatVector tb = bRepeat ? vb : FloatVector.fromMemorySegment(S, sb, b + t, NATIVE, m);
        apply(op, ta, tb).intoMemorySegment(so, o + t, NATIVE, m);
    }

    /** a op b lane by lane; IEEE single-precision results, which equal the float64 reference rounded to float. */
    private static FloatVector apply(BinaryOp op, FloatVector a, FloatVector b) {
        return switch (op) {
            case ADD -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            case DIV -> a.div(b);
            case MAX -> a.max(b);
            default -> a.min(b);
        };
    }

    private static boolean isBroadcastScalar(Tensor t) {
        for (long s : t.strides()) if (s != 0) return t.numel() == 1;
        return true;
    }
}
