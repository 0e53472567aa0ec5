package org.stylemap.backend.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * Horizontal sums in a fixed order. FloatVector.reduceLanes(ADD) leaves the order of the float
 * additions unspecified, and the interpreted and JIT-compiled forms differ in the last bit; the
 * same inputs must give the same bits for a resumed training run to repeat an uninterrupted one.
 */
final class Lanes {
    private Lanes() {}

    static float sum(FloatVector v) {
        float[] lanes = v.toArray();
        float s = 0;
        for (float x : lanes) s += x;
        return s;
    }
}
