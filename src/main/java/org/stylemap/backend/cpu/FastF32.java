package org.stylemap.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.stylemap.backend.BinaryOp;
import org.stylemap.backend.UnaryOp;
import org.stylemap.tensor.Tensor;

/**
 * Vector API paths for the float32 elementwise cases that dominate training time: contiguous
 * operands, or a contiguous operand with a broadcast scalar. Each method returns false when the
 * case is not covered, and the caller falls back to the scalar reference in {@link CpuBackend}.
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
                float v = x.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, xOff + i);
                out.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, oOff + i, (float) op.apply(v, p));
            }
        });
        return true;
    }

    /** a and b are out-shaped views; covered: both contiguous, or one contiguous and the other one broadcast value. */
    static boolean binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        switch (op) {
            case ADD, SUB, MUL, DIV, MAX, MIN -> { }
            default -> { return false; }
        }
        long n = out.numel();
        if (n > Integer.MAX_VALUE || !out.isContiguous()) return false;
        boolean aFull = a.isContiguous(), bFull = b.isContiguous();
        boolean aScalar = isBroadcastScalar(a), bScalar = isBroadcastScalar(b);
        if (!(aFull || aScalar) || !(bFull || bScalar)) return false;
        MemorySegment sa = CpuBackend.seg(a), sb = CpuBackend.seg(b), so = CpuBackend.seg(out);
        long ao = a.offset(), bo = b.offset(), oo = out.offset();
        float ac = aScalar ? sa.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, ao) : 0f;
        float bc = bScalar ? sb.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, bo) : 0f;
        Parallel.forRange((int) n, GRAIN, (from, to) -> {
            int i = from;
            for (int upper = from + S.loopBound(to - from); i < upper; i += S.length()) {
                FloatVector va = aScalar ? FloatVector.broadcast(S, ac) : FloatVector.fromMemorySegment(S, sa, (ao + i) * 4, NATIVE);
                FloatVector vb = bScalar ? FloatVector.broadcast(S, bc) : FloatVector.fromMemorySegment(S, sb, (bo + i) * 4, NATIVE);
                FloatVector r = switch (op) {
                    case ADD -> va.add(vb);
                    case SUB -> va.sub(vb);
                    case MUL -> va.mul(vb);
                    case DIV -> va.div(vb);
                    case MAX -> va.max(vb);
                    default -> va.min(vb);
                };
                r.intoMemorySegment(so, (oo + i) * 4, NATIVE);
            }
            for (; i < to; i++) {
                float x = aScalar ? ac : sa.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, ao + i);
                float y = bScalar ? bc : sb.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, bo + i);
                so.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, oo + i, (float) op.apply(x, y));
            }
        });
        return true;
    }

    private static boolean isBroadcastScalar(Tensor t) {
        for (long s : t.strides()) if (s != 0) return t.numel() == 1;
        return true;
    }
}
