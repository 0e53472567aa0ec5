package org.stylemap.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.stylemap.autograd.Autograd;
import org.stylemap.autograd.GradMode;
import org.stylemap.memory.Scope;
import org.stylemap.model.Discriminator;
import org.stylemap.model.Encoder;
import org.stylemap.model.Generator;
import org.stylemap.nn.Ema;
import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Losses;
import org.stylemap.ops.Reductions;
import org.stylemap.tensor.Tensor;

/**
 * One iteration of the official training loop (train.py), step for step:
 * <ol>
 *   <li>G step: adv = mean(softplus(-D(G(z)))) trains G (D frozen); w_rec = mse(E(G(z).detach()),
 *       stylemap(z).detach()) trains E, both from the same forward pass;</li>
 *   <li>D step: mean(softplus(-D(real))) + mean(softplus(D(G(z')))) + in-domain mean(softplus(D(G(E(real)))));</li>
 *   <li>R1 every d_reg_every iterations (from 0): r1/2 * mean_n |dD(real)/dreal|^2 * d_reg_every;</li>
 *   <li>reconstruction step (D frozen): mse(G(E(real)), real) + LPIPS + mean(softplus(-D(G(E(real))))) trains E, then G;</li>
 *   <li>EMA of G and E parameters (official decay 0.999).</li>
 * </ol>
 * Every phase runs in its own Scope, so its activations and graph are freed when it ends.
 */
public final class TrainStep {
    /** The official accumulate() decay. */
    public static final double OFFICIAL_EMA_DECAY = 0.999;

    private final Generator g, gEma;
    private final Encoder e, eEma;
    private final Discriminator d;
    private final Optimizers opt;
    private final LossWeights w;
    private final double r1;
    private final int dRegEvery;
    private final double emaDecay;
    private final PerceptualLoss perceptual;

    public TrainStep(Generator g, Encoder e, Discriminator d, Generator gEma, Encoder eEma, Optimizers opt,
                     LossWeights w, double r1, int dRegEvery, double emaDecay, PerceptualLoss perceptual) {
        this.g = g;
        this.e = e;
        this.d = d;
        this.gEma = gEma;
        this.eEma = eEma;
        this.opt = opt;
        this.w = w;
        this.r1 = r1;
        this.dRegEvery = dRegEvery;
        this.emaDecay = emaDecay;
        this.perceptual = perceptual;
    }

    /** Runs iteration i on a real batch with noise zG (G step) and zD (D step); returns the losses. */
    public Map<String, Double> run(int i, Tensor real, Tensor zG, Tensor zD) {
        Map<String, Double> losses = new LinkedHashMap<>();
        d.setRequiresGrad(false);
        generatorStep(zG, losses);
        d.setRequiresGrad(true);
        discriminatorStep(real, zD, losses);
        if (i % dRegEvery == 0) r1Step(real, losses);
        d.setRequiresGrad(false);
        reconstructionStep(real, losses);
        Ema.accumulate(gEma, g, emaDecay);
        Ema.accumulate(eEma, e, emaDecay);
        return losses;
    }

    private void generatorStep(Tensor z, Map<String, Double> losses) {
        try (Scope s = Scope.open()) {
            Tensor stylemap = g.stylemap(z);
            Tensor fake = g.synthesize(stylemap);
            Tensor adv = Losses.meanSoftplus(d.forward(fake), -1);
            Tensor wRec = Losses.mse(e.forward(fake.detach()), stylemap.detach());
            g.zeroGrad();
            Autograd.backward(Elementwise.scale(adv, w.adv()));
            opt.g().step();
            e.zeroGrad();
            Autograd.backward(Elementwise.scale(wRec, w.wRec()));
            opt.e().step();
            losses.put("g_adv", adv.item());
            losses.put("w_rec", wRec.item());
        }
    }

    private void discriminatorStep(Tensor real, Tensor z, Map<String, Double> losses) {
        try (Scope s = Scope.open()) {
            Tensor fake, rec;
            try (GradMode off = GradMode.off()) {
                fake = g.synthesize(g.stylemap(z));
                rec = g.synthesize(e.forward(real));
            }
            Tensor dLoss = Elementwise.add(Losses.meanSoftplus(d.forward(real), -1), Losses.meanSoftplus(d.forward(fake), 1));
            Tensor inDomain = Losses.meanSoftplus(d.forward(rec), 1);
            d.zeroGrad();
            Autograd.backward(Elementwise.add(Elementwise.scale(dLoss, w.d()), Elementwise.scale(inDomain, w.indomainD())));
            opt.d().step();
            losses.put("d", dLoss.item() + inDomain.item());
            losses.put("d_indomain", inDomain.item());
        }
    }

    private void r1Step(Tensor real, Map<String, Double> losses) {
        try (Scope s = Scope.open()) {
            Tensor penalty = r1Penalty(d, real);
            d.zeroGrad();
            Autograd.backward(Elementwise.scale(penalty, r1 / 2 * dRegEvery));
            opt.d().step();
            losses.put("r1", penalty.item());
        }
    }

    /** mean over the batch of |d(sum D(x))/dx|^2, differentiable with respect to D's parameters. */
    public static Tensor r1Penalty(Discriminator d, Tensor real) {
        Tensor x = real.detach().requiresGrad(true);
        Tensor pred = d.forward(x);
        Tensor grad = Autograd.grad(new Tensor[] {Reductions.sum(pred, null, false)}, new Tensor[] {x}, true)[0];
        return Reductions.mean(Reductions.sum(Elementwise.mul(grad, grad), new int[] {1, 2, 3}, false), null, false);
    }

    private void reconstructionStep(Tensor real, Map<String, Double> losses) {
        try (Scope s = Scope.open()) {
            Tensor rec = g.synthesize(e.forward(real));
            Tensor xRec = Losses.mse(rec, real);
            Tensor inDomain = Losses.meanSoftplus(d.forward(rec), -1);
            Tensor total = Elementwise.add(Elementwise.scale(xRec, w.xRec()), Elementwise.scale(inDomain, w.indomainE()));
            double lpips = 0;
            if (perceptual != null) {
                Tensor p = perceptual.distance(real, rec);
                lpips = p.item();
                total = Elementwise.add(total, Elementwise.scale(p, w.perceptual()));
            }
            e.zeroGrad();
            g.zeroGrad();
            Autograd.backward(total);
            opt.e().step();
            opt.g().step();
            losses.put("e_rec", xRec.item() + lpips + inDomain.item());
            losses.put("x_rec", xRec.item());
            if (perceptual != null) losses.put("lpips", lpips);
        }
    }

}
