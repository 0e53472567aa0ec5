package org.stylemap.train;

import org.stylemap.model.PerceptualLoss;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.stylemap.autograd.Autograd;
import org.stylemap.memory.Scope;
import org.stylemap.model.Discriminator;
import org.stylemap.model.Encoder;
import org.stylemap.model.Generator;
import org.stylemap.nn.Ema;
import org.stylemap.ops.Elementwise;
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
    /** Told the name of each phase when it has ended (its scope closed); for memory reports. */
    private Consumer<String> phaseEnded = phase -> { };

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

    /** Calls listener with "g_step", "d_step", "r1_step", "reconstruction_step" or "ema" as each phase ends. */
    public void onPhaseEnd(Consumer<String> listener) {
        this.phaseEnded = listener;
    }

    /**
     * Runs iteration i on a real batch with noise zG (G step) and zD (D step); returns the losses,
     * read from the device once, at the end.
     */
    public Map<String, Double> run(int i, Tensor real, Tensor zG, Tensor zD) {
        LossReadout readout = new LossReadout();
        Map<String, Double> raw;
        try (Scope iteration = Scope.open()) {
            d.setRequiresGrad(false);
            generatorStep(zG, readout);
            phaseEnded.accept("g_step");
            d.setRequiresGrad(true);
            discriminatorStep(real, zD, readout);
            phaseEnded.accept("d_step");
            if (i % dRegEvery == 0) {
                r1Step(real, readout);
                phaseEnded.accept("r1_step");
            }
            d.setRequiresGrad(false);
            reconstructionStep(real, readout);
            phaseEnded.accept("reconstruction_step");
            Ema.accumulate(gEma, g, emaDecay);
            Ema.accumulate(eEma, e, emaDecay);
            phaseEnded.accept("ema");
            raw = readout.read();
        }
        // The logged d and e_rec are the official totals (weights aside): sums of their terms.
        Map<String, Double> losses = new LinkedHashMap<>();
        losses.put("g_adv", raw.get("g_adv"));
        losses.put("w_rec", raw.get("w_rec"));
        losses.put("d", raw.get("d_real_fake") + raw.get("d_indomain"));
        losses.put("d_indomain", raw.get("d_indomain"));
        if (raw.containsKey("r1")) losses.put("r1", raw.get("r1"));
        double lpips = raw.getOrDefault("lpips", 0.0);
        losses.put("e_rec", raw.get("x_rec") + lpips + raw.get("e_indomain"));
        losses.put("x_rec", raw.get("x_rec"));
        if (raw.containsKey("lpips")) losses.put("lpips", lpips);
        return losses;
    }

    private void generatorStep(Tensor z, LossReadout readout) {
        try (Scope s = Scope.open()) {
            TrainLosses.GeneratorLosses l = TrainLosses.generator(g, e, d, z);
            g.zeroGrad();
            Autograd.backward(Elementwise.scale(l.adv(), w.adv()));
            opt.g().step();
            e.zeroGrad();
            Autograd.backward(Elementwise.scale(l.wRec(), w.wRec()));
            opt.e().step();
            readout.put("g_adv", l.adv());
            readout.put("w_rec", l.wRec());
        }
    }

    private void discriminatorStep(Tensor real, Tensor z, LossReadout readout) {
        try (Scope s = Scope.open()) {
            TrainLosses.DiscriminatorLosses l = TrainLosses.discriminator(g, e, d, real, z);
            d.zeroGrad();
            Autograd.backward(Elementwise.add(Elementwise.scale(l.d(), w.d()), Elementwise.scale(l.inDomain(), w.indomainD())));
            opt.d().step();
            readout.put("d_real_fake", l.d());
            readout.put("d_indomain", l.inDomain());
        }
    }

    private void r1Step(Tensor real, LossReadout readout) {
        try (Scope s = Scope.open()) {
            Tensor penalty = TrainLosses.r1(d, real).penalty();
            d.zeroGrad();
            Autograd.backward(Elementwise.scale(penalty, TrainLosses.r1Weight(r1, dRegEvery)));
            opt.d().step();
            readout.put("r1", penalty);
        }
    }

    private void reconstructionStep(Tensor real, LossReadout readout) {
        try (Scope s = Scope.open()) {
            TrainLosses.ReconstructionLosses l = TrainLosses.reconstruction(g, e, d, real, perceptual);
            Tensor total = Elementwise.add(Elementwise.scale(l.xRec(), w.xRec()), Elementwise.scale(l.inDomain(), w.indomainE()));
            if (l.perceptual() != null) total = Elementwise.add(total, Elementwise.scale(l.perceptual(), w.perceptual()));
            e.zeroGrad();
            g.zeroGrad();
            Autograd.backward(total);
            opt.e().step();
            opt.g().step();
            readout.put("x_rec", l.xRec());
            readout.put("e_indomain", l.inDomain());
            if (l.perceptual() != null) readout.put("lpips", l.perceptual());
        }
    }
}
