package org.stylemap.edit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.stylemap.autograd.Autograd;
import org.stylemap.autograd.GradMode;
import org.stylemap.memory.Scope;
import org.stylemap.nn.Adam;
import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Losses;
import org.stylemap.tensor.Tensor;
import org.stylemap.model.PerceptualLoss;

/**
 * Optimization refinement of a photo's latent, starting from the encoder's projection (the
 * Image2StyleGAN recipe, with In-Domain GAN inversion's start at the encoder and its domain
 * regularizer): Adam on the latent minimizes
 * <pre>  mse(G(s), x) + lpips(G(s), x) + domainWeight * mse(s, E(G(s)))  </pre>
 * where for w_plus the last term compares each optimized map with the resizer's map of E(G(s)).
 * The networks stay fixed; only the latent moves.
 */
public final class Projection {
    private Projection() {}

    /**
     * @param lpips        perceptual term, or null for MSE only
     * @param domainWeight weight of the domain regularizer (0: off, and E is not run)
     */
    public record Options(Space space, int steps, double lr, PerceptualLoss lpips, double domainWeight) {
        public Options {
            if (steps < 0) throw new IllegalArgumentException("steps must be at least 0, got " + steps);
            if (!(lr > 0)) throw new IllegalArgumentException("lr must be positive, got " + lr);
            if (!(domainWeight >= 0)) throw new IllegalArgumentException("domain weight must be at least 0, got " + domainWeight);
        }
    }

    /** The refined latent, the image MSE of the encoder's start and of the result, the MSE after each step, and the time. */
    public record Result(Latent latent, double mseBefore, double mseAfter, double[] curve, double seconds) {}

    /**
     * Refines the projection of photo [1, 3, size, size]. The returned latent's tensors are
     * long-lived (outside every scope); progress, when given, hears each finished step.
     */
    public static Result refine(EditModel m, Tensor photo, Options o, IntConsumer progress) {
        long t0 = System.nanoTime();
        List<Tensor> vars = new ArrayList<>();
        double before;
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            Latent start = m.encode(photo);
            before = Reconstruction.mse(m.decode(start), photo);
            for (Tensor t : o.space() == Space.W ? List.of(start.stylemap()) : start.layers(m.g()))
                vars.add(Scope.untracked(() -> Elementwise.copy(t)).requiresGrad(true));
        }
        Map<String, Tensor> named = new LinkedHashMap<>();
        for (int i = 0; i < vars.size(); i++) named.put("latent." + i, vars.get(i));
        // Image2StyleGAN's Adam settings: lr 0.01, betas (0.9, 0.999).
        Adam adam = new Adam(named, o.lr(), 0.9, 0.999, 1e-8);
        double[] curve = new double[o.steps()];
        boolean gWas = requiresGrad(m.g()), eWas = requiresGrad(m.e());
        m.g().setRequiresGrad(false);
        m.e().setRequiresGrad(false);
        try {
            for (int step = 0; step < o.steps(); step++) {
                try (Scope s = Scope.open(); GradMode on = GradMode.on()) {
                    Latent current = latent(vars, o.space());
                    Tensor image = m.decode(current);
                    Tensor mse = Losses.mse(image, photo);
                    Tensor loss = mse;
                    if (o.lpips() != null) loss = Elementwise.add(loss, o.lpips().distance(image, photo));
                    if (o.domainWeight() > 0) loss = Elementwise.add(loss, Elementwise.scale(domainLoss(m, image, vars, o.space()), o.domainWeight()));
                    Autograd.backward(loss);
                    adam.step();
                    for (Tensor v : vars) v.zeroGrad();
                    curve[step] = mse.item();
                }
                if (progress != null) progress.accept(step + 1);
            }
        } finally {
            m.g().setRequiresGrad(gWas);
            m.e().setRequiresGrad(eWas);
        }
        for (Tensor v : vars) v.requiresGrad(false);
        Latent result = latent(vars, o.space());
        double after;
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            after = Reconstruction.mse(m.decode(result), photo);
        }
        return new Result(result, before, after, curve, (System.nanoTime() - t0) / 1e9);
    }

    private static Latent latent(List<Tensor> vars, Space space) {
        return space == Space.W ? Latent.of(vars.getFirst()) : Latent.ofLayers(vars);
    }

    /** In-Domain inversion's regularizer: the encoder's code of the current image should be the code itself. */
    private static Tensor domainLoss(EditModel m, Tensor image, List<Tensor> vars, Space space) {
        Tensor code = m.e().forward(image);
        if (space == Space.W) return Losses.mse(vars.getFirst(), code);
        List<Tensor> maps = m.g().decoder().resize(code);
        Tensor sum = null;
        for (int t = 0; t < maps.size(); t++) {
            Tensor term = Losses.mse(vars.get(t), maps.get(t));
            sum = sum == null ? term : Elementwise.add(sum, term);
        }
        return Elementwise.scale(sum, 1.0 / maps.size());
    }

    private static boolean requiresGrad(org.stylemap.nn.Module m) {
        return m.parameters().values().stream().anyMatch(Tensor::requiresGrad);
    }
}
