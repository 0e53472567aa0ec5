package org.stylemap.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.stylemap.memory.Scope;
import org.stylemap.ops.Views;
import org.stylemap.tensor.Tensor;

/**
 * The losses of one iteration, collected on the device and read to the host in one transfer at the
 * end: a host read waits for the device, so reading each loss as it is made would stall the queue
 * between phases (and between forward and backward).
 */
final class LossReadout {
    private final List<String> names = new ArrayList<>();
    private final List<Tensor> values = new ArrayList<>();

    /**
     * Keeps a one-element loss past the phase that made it: the caller's innermost scope hands it to
     * the enclosing one (the iteration's), which frees it after {@link #read}.
     */
    void put(String name, Tensor loss) {
        Tensor v = loss.detach();
        Scope.keep(v);
        names.add(name);
        values.add(Views.reshape(v, 1));
    }

    /** Every loss, by name, in the order they were put: one host read. */
    Map<String, Double> read() {
        double[] v = Views.concat(0, values.toArray(Tensor[]::new)).toDoubleArray();
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < v.length; i++) out.put(names.get(i), v[i]);
        return out;
    }
}
