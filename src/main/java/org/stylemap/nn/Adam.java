package org.stylemap.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.stylemap.autograd.GradMode;
import org.stylemap.memory.Scope;
import org.stylemap.ops.Elementwise;
import org.stylemap.tensor.Tensor;

/**
 * Adam with PyTorch's update order (torch.optim.Adam, no weight decay, no amsgrad):
 * m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;  p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps).
 * A parameter without a gradient is stepped with a zero gradient, as the official code's
 * PyTorch 1.4 did (its zero_grad() left zero tensors, not None): the weight does not move, but its
 * step count and second moment do, which changes every later update of that parameter.
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
        try (GradMode g = GradMode.off()) {
            for (Map.Entry<String, Tensor> e : params.entrySet()) {
                Tensor p = e.getValue();
                String k = e.getKey();
                Tensor mk = m.computeIfAbsent(k, x -> zerosLike(p)), vk = v.computeIfAbsent(k, x -> zerosLike(p));
                long t = steps.merge(k, 1L, Long::sum);
                try (Scope s = Scope.open()) {
                    Tensor grad = p.grad() != null ? p.grad() : Tensor.zeros(p.dtype(), p.device(), p.shape());
                    Elementwise.copyInto(mk, Elementwise.add(Elementwise.scale(mk, beta1), Elementwise.scale(grad, 1 - beta1)));
                    Elementwise.copyInto(vk, Elementwise.add(Elementwise.scale(vk, beta2),
                            Elementwise.scale(Elementwise.mul(grad, grad), 1 - beta2)));
                    double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
                    Tensor denom = Elementwise.addScalar(Elementwise.scale(Elementwise.sqrt(vk), 1 / Math.sqrt(bc2)), eps);
                    Tensor update = Elementwise.scale(Elementwise.div(mk, denom), -lr / bc1);
                    Elementwise.copyInto(p, Elementwise.add(p.detach(), update));
                }
            }
        }
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
