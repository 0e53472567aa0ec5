package org.stylemap.edit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.stylemap.autograd.Autograd;
import org.stylemap.autograd.GradMode;
import org.stylemap.memory.Scope;
import org.stylemap.model.Generator;
import org.stylemap.model.Init;
import org.stylemap.nn.Adam;
import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Losses;
import org.stylemap.random.Rng;
import org.stylemap.tensor.Tensor;
import org.stylemap.model.PerceptualLoss;

/**
 * Image-specific generator adaptation (Bau et al. 2019, "Semantic Photo Manipulation with a
 * Generative Image Prior"): a copy of the generator has its last synthesis layers fine-tuned so
 * that its image of the photo's latent matches the photo; edits made with the copy keep the
 * unedited regions faithful to the photo, which the encoder alone only approximates. The latent
 * and every earlier layer stay fixed; few steps at a small learning rate keep the copy close to
 * the generator (the paper's regularizer towards the original weights is left out).
 */
public final class Adaptation {
    private Adaptation() {}

    /** layers: how many of the last synthesis blocks to tune (1 = to_rgb only, 2 = also the last res block, ...). */
    public record Options(int layers, int steps, double lr, PerceptualLoss lpips) {
        public Options {
            if (layers < 1) throw new IllegalArgumentException("layers must be at least 1, got " + layers);
            if (steps < 0) throw new IllegalArgumentException("steps must be at least 0, got " + steps);
            if (!(lr > 0)) throw new IllegalArgumentException("lr must be positive, got " + lr);
        }
    }

    /** The adapted copy, the reconstruction MSE before and after, and the time. */
    public record Result(Generator adapted, double mseBefore, double mseAfter, double seconds) {}

    public static Result adapt(EditModel m, Latent latent, Tensor photo, Options o, IntConsumer progress) {
        long t0 = System.nanoTime();
        Generator g = copy(m);
        Map<String, Tensor> tuned = tunedParameters(g, o.layers());
        g.setRequiresGrad(false);
        tuned.values().forEach(p -> p.requiresGrad(true));
        Adam adam = new Adam(tuned, o.lr(), 0.9, 0.999, 1e-8);
        double before;
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            before = Reconstruction.mse(latent.decode(g), photo);
        }
        // The latent's resizer maps do not change while the synthesis layers are tuned: compute them once.
        List<Tensor> maps;
        try (GradMode off = GradMode.off()) {
            maps = Scope.untracked(() -> latent.layers(g));
        }
        for (int step = 0; step < o.steps(); step++) {
            try (Scope s = Scope.open(); GradMode on = GradMode.on()) {
                Tensor image = g.decoder().synthesize(maps);
                Tensor loss = Losses.mse(image, photo);
                if (o.lpips() != null) loss = Elementwise.add(loss, o.lpips().distance(image, photo));
                Autograd.backward(loss);
                adam.step();
                g.zeroGrad();
            }
            if (progress != null) progress.accept(step + 1);
        }
        g.setRequiresGrad(false);
        double after;
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            after = Reconstruction.mse(g.decoder().synthesize(maps), photo);
        }
        return new Result(g, before, after, (System.nanoTime() - t0) / 1e9);
    }

    /** A local edit made without and with adaptation, and how faithful each stays outside its region. */
    public record Comparison(Result adaptation, Tensor reconstruction, Tensor adaptedReconstruction, Tensor edit, Tensor adaptedEdit,
                             double mseOutside, double adaptedMseOutside) {}

    /**
     * Bau et al.'s use of adaptation: the edit of photo (whose latent is given) by pair, once with
     * the model's generator and once with a copy adapted to the photo; the MSE to the photo outside
     * the pair's mask measures how much each loses of the unedited region.
     */
    public static Comparison compare(EditModel m, Tensor photo, Latent latent, LocalEdit.Pair pair, Space space, Options o, IntConsumer progress) {
        Tensor recon, edit;
        try (GradMode off = GradMode.off()) {
            recon = latent.decode(m.g());
            edit = LocalEdit.apply(m.g(), latent, List.of(pair), space, 1);
        }
        Result r = adapt(m, latent, photo, o, progress);
        try (GradMode off = GradMode.off()) {
            Tensor adaptedRecon = latent.decode(r.adapted());
            Tensor adaptedEdit = LocalEdit.apply(r.adapted(), latent, List.of(pair), space, 1);
            return new Comparison(r, recon, adaptedRecon, edit, adaptedEdit, mseOutside(edit, photo, pair.mask()), mseOutside(adaptedEdit, photo, pair.mask()));
        }
    }

    /** A generator with the same weights as the model's, in eval mode. */
    private static Generator copy(EditModel m) {
        Generator g = new Generator(new Init(m.dtype(), m.device(), new Rng(0)), m.config());
        g.loadStateDict(m.g().stateDict(), "the generator being adapted");
        g.train(false);
        return g;
    }

    /**
     * The parameters of the last `layers` synthesis blocks, counting to_rgb as the last block and
     * each styled res block (decoder.convs.J) as one before it. The stylemap resizer is not tuned.
     */
    static Map<String, Tensor> tunedParameters(Generator g, int layers) {
        int blocks = g.decoder().blockCount();
        if (layers > blocks + 1)
            throw new IllegalArgumentException("layers must be at most " + (blocks + 1) + " for this model (to_rgb and " + blocks
                    + " res blocks), got " + layers);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : g.parameters().entrySet()) {
            String k = e.getKey();
            boolean take = k.startsWith("decoder.to_rgb.");
            for (int j = blocks - (layers - 1); j < blocks; j++) take |= k.startsWith("decoder.convs." + j + ".");
            if (take) out.put(k, e.getValue());
        }
        return out;
    }

    /** MSE_src of {@link LocalEditError}: how faithful an edit stays outside its region. */
    private static double mseOutside(Tensor edit, Tensor photo, Tensor mask) {
        double mse = LocalEditError.measure(edit, photo, photo, mask).mseSrc()[0];
        if (Double.isNaN(mse)) throw new IllegalArgumentException("the mask covers the whole image: nothing lies outside it");
        return mse;
    }
}
