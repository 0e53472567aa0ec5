package org.stylemap.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.stylemap.autograd.GradMode;
import org.stylemap.memory.Scope;
import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Reference;
import org.stylemap.ops.Views;
import org.stylemap.tensor.Tensor;

/**
 * Adam with PyTorch's update order (torch.optim.Adam, no weight decay, no amsgrad):
 * m = b1 m + (1-b1) g;  v = b2 v + ((1-b2) g) g;  p += (-lr/(1-b1^t)) m / (sqrt(v)/sqrt(1-b2^t) + eps),
 * each parameter with its own step count t (counts differ after a load), each operation rounding
 * in the parameter's dtype as PyTorch's CPU kernels do. A parameter without a gradient is stepped
 * with a zero gradient, as the official code's PyTorch 1.4 did (its zero_grad() left zero tensors,
 * not None): the weight does not move, but its step count and second moment do, which changes
 * every later update of that parameter.
 * <p>
 * A step is one multi-tensor primitive over every parameter (Backend.adam, kernels/optimizers.cu,
 * AdamTest); its reference twin, taken when {@link Reference#forced()}, is the same update
 * composed of elementwise ops, one parameter at a time.
 */
public final class Adam {
    private final Map<String, Tensor> params;
    private final double lr, beta1, beta2, eps;
    private final Map<String, Tensor> m = new LinkedHashMap<>(), v = new LinkedHashMap<>();
    private final Map<String, Long> steps = new LinkedHashMap<>();

    public Adam(Map<String, Tensor> params, double lr, double beta1, double beta2, double eps) {
        this.params = new LinkedHashMap<>(params);
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    public double lr() { return lr; }

    public void step() {
        int n = params.size();
        if (n == 0) return;
        Tensor first = params.values().iterator().next();
        for (Map.Entry<String, Tensor> e : params.entrySet()) check(e.getKey(), e.getValue(), first);
        Tensor[] p = new Tensor[n], g = new Tensor[n], mk = new Tensor[n], vk = new Tensor[n];
        double[] stepSize = new double[n], bc2Sqrt = new double[n];
        int i = 0;
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            Tensor param = e.getValue();
            String k = e.getKey();
            long t = steps.merge(k, 1L, Long::sum);
            // The bias corrections in float64 on the host, as PyTorch computes them in Python.
            stepSize[i] = lr / (1 - Math.pow(beta1, t));
            bc2Sqrt[i] = Math.sqrt(1 - Math.pow(beta2, t));
            p[i] = param;
            g[i] = param.grad();
            mk[i] = m.computeIfAbsent(k, x -> zerosLike(param));
            vk[i] = v.computeIfAbsent(k, x -> zerosLike(param));
            i++;
        }
        try (GradMode off = GradMode.off()) {
            if (Reference.forced()) {
                for (int j = 0; j < n; j++)
                    try (Scope s = Scope.open()) {
                        referenceUpdate(p[j], g[j], mk[j], vk[j], stepSize[j], bc2Sqrt[j]);
                    }
                return;
            }
            try (Scope s = Scope.open()) {
                for (int j = 0; j < n; j++) if (g[j] != null) g[j] = Views.contiguous(g[j]);
                first.backend().adam(p, g, mk, vk, stepSize, bc2Sqrt, beta1, beta2, eps);
            }
        }
    }

    /** Checked before any state changes: one dtype and device (one primitive updates all), gradients matching. */
    private static void check(String name, Tensor p, Tensor first) {
        if (!p.isContiguous() || p.dtype() != first.dtype() || !p.device().equals(first.device()))
            throw new IllegalArgumentException("adam: parameter '" + name + "' is not contiguous or differs in dtype or device from the others");
        Tensor g = p.grad();
        if (g != null && (!g.sameShape(p) || g.dtype() != p.dtype() || !g.device().equals(p.device())))
            throw new IllegalArgumentException("adam: the gradient of '" + name + "' does not match its parameter");
    }

    /** The composite twin of one parameter's update, in the order of the fused primitive. */
    private void referenceUpdate(Tensor p, Tensor grad, Tensor mk, Tensor vk, double stepSize, double bc2Sqrt) {
        Tensor g = grad != null ? grad : Tensor.zeros(p.dtype(), p.device(), p.shape());
        Elementwise.copyInto(mk, Elementwise.add(Elementwise.scale(mk, beta1), Elementwise.scale(g, 1 - beta1)));
        Elementwise.copyInto(vk, Elementwise.add(Elementwise.scale(vk, beta2), Elementwise.mul(Elementwise.scale(g, 1 - beta2), g)));
        Tensor denom = Elementwise.addScalar(Elementwise.div(Elementwise.sqrt(vk), Tensor.scalar(p.dtype(), p.device(), bc2Sqrt)), eps);
        Elementwise.copyInto(p, Elementwise.add(p.detach(), Elementwise.div(Elementwise.scale(mk, -stepSize), denom)));
    }

    private static Tensor zerosLike(Tensor p) {
        return Scope.untracked(() -> Tensor.zeros(p.dtype(), p.device(), p.shape()));
    }

    /** The state to checkpoint: "exp_avg/<param>", "exp_avg_sq/<param>" and the per-parameter step counts. */
    public Map<String, Tensor> state() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        m.forEach((k, t) -> out.put("exp_avg/" + k, t));
        v.forEach((k, t) -> out.put("exp_avg_sq/" + k, t));
        return out;
    }

    public Map<String, Long> steps() {
        return new LinkedHashMap<>(steps);
    }

    /** Restores what {@link #state()} and {@link #steps()} returned. */
    public void load(Map<String, Tensor> state, Map<String, Long> stepCounts) {
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            String key = e.getKey();
            int slash = key.indexOf('/');
            String kind = slash < 0 ? "" : key.substring(0, slash), name = key.substring(slash + 1);
            Tensor p = params.get(name);
            if (p == null || !(kind.equals("exp_avg") || kind.equals("exp_avg_sq"))) { unknown.add(key); continue; }
            Tensor dst = (kind.equals("exp_avg") ? m : v).computeIfAbsent(name, x -> zerosLike(p));
            if (!java.util.Arrays.equals(dst.shape(), e.getValue().shape()))
                throw new IllegalArgumentException("optimizer state '" + key + "' does not match its parameter's shape");
            Elementwise.copyInto(dst, Elementwise.cast(e.getValue(), dst.dtype()));
        }
        if (!unknown.isEmpty()) throw new IllegalArgumentException("optimizer state has unknown entries: " + unknown);
        steps.clear();
        steps.putAll(stepCounts);
    }
}
