package org.stylemap.train;

import org.stylemap.autograd.Autograd;
import org.stylemap.autograd.GradMode;
import org.stylemap.model.Discriminator;
import org.stylemap.model.Encoder;
import org.stylemap.model.Generator;
import org.stylemap.model.PerceptualLoss;
import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Losses;
import org.stylemap.ops.Reductions;
import org.stylemap.tensor.Tensor;

/**
 * The official training losses (train.py), each from the forward passes the official loop makes.
 * The training step and verify-parity both call these, so the fixture checks the loop's own losses.
 */
public final class TrainLosses {
    private TrainLosses() {}

    /**
     * The G step's losses from one forward pass: adv = mean(softplus(-D(G(z)))) trains G;
     * wRec = mse(E(G(z).detach()), stylemap(z).detach()) trains E.
     */
    public record GeneratorLosses(Tensor adv, Tensor wRec) {}

    public static GeneratorLosses generator(Generator g, Encoder e, Discriminator d, Tensor z) {
        Tensor stylemap = g.stylemap(z);
        Tensor fake = g.synthesize(stylemap);
        Tensor adv = Losses.meanSoftplus(d.forward(fake), -1);
        Tensor wRec = Losses.mse(e.forward(fake.detach()), stylemap.detach());
        return new GeneratorLosses(adv, wRec);
    }

    /**
     * The D step's losses: d = mean(softplus(-D(real))) + mean(softplus(D(G(z)))) and the in-domain
     * term mean(softplus(D(G(E(real))))), with the generator and encoder run without gradients.
     */
    public record DiscriminatorLosses(Tensor d, Tensor inDomain) {}

    public static DiscriminatorLosses discriminator(Generator g, Encoder e, Discriminator d, Tensor real, Tensor z) {
        Tensor fake, rec;
        try (GradMode off = GradMode.off()) {
            fake = g.synthesize(g.stylemap(z));
            rec = g.synthesize(e.forward(real));
        }
        Tensor dLoss = Elementwise.add(Losses.meanSoftplus(d.forward(real), -1), Losses.meanSoftplus(d.forward(fake), 1));
        return new DiscriminatorLosses(dLoss, Losses.meanSoftplus(d.forward(rec), 1));
    }

    /** The R1 penalty: gradient = d(sum D(x))/dx at the real images, penalty = mean_n |gradient_n|^2. */
    public record R1(Tensor gradient, Tensor penalty) {}

    /** Differentiable with respect to D's parameters (the gradient is built with its own graph). */
    public static R1 r1(Discriminator d, Tensor real) {
        Tensor x = real.detach().requiresGrad(true);
        Tensor grad = Autograd.grad(new Tensor[] {Reductions.sum(d.forward(x), null, false)}, new Tensor[] {x}, true)[0];
        Tensor penalty = Reductions.mean(Reductions.sum(Elementwise.mul(grad, grad), new int[] {1, 2, 3}, false), null, false);
        return new R1(grad, penalty);
    }

    /** The factor of the lazy R1 step's loss: r1 / 2 * d_reg_every (the penalty runs every d_reg_every iterations). */
    public static double r1Weight(double r1, int dRegEvery) {
        return r1 / 2 * dRegEvery;
    }

    /**
     * The reconstruction step's losses, all of G(E(real)): xRec = mse(rec, real), the in-domain term
     * mean(softplus(-D(rec))) and, when a perceptual loss is given, its distance (else null).
     */
    public record ReconstructionLosses(Tensor xRec, Tensor inDomain, Tensor perceptual) {}

    public static ReconstructionLosses reconstruction(Generator g, Encoder e, Discriminator d, Tensor real, PerceptualLoss perceptual) {
        Tensor rec = g.synthesize(e.forward(real));
        return new ReconstructionLosses(Losses.mse(rec, real), Losses.meanSoftplus(d.forward(rec), -1),
                perceptual == null ? null : perceptual.distance(real, rec));
    }
}
