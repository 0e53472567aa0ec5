package org.stylemap.train;

import org.stylemap.model.Discriminator;
import org.stylemap.model.Encoder;
import org.stylemap.model.Generator;
import org.stylemap.nn.Adam;

/**
 * The official optimizers: Adam(lr, betas (0, 0.99)) for G and E; D's are scaled for lazy R1
 * regularization by ratio = d_reg_every / (d_reg_every + 1): lr * ratio, betas (0^ratio, 0.99^ratio).
 */
public record Optimizers(Adam g, Adam e, Adam d) {
    public static Optimizers official(Generator g, Encoder e, Discriminator d, double lr, int dRegEvery) {
        double ratio = (double) dRegEvery / (dRegEvery + 1);
        return new Optimizers(
                new Adam(g.parameters(), lr, 0, 0.99, 1e-8),
                new Adam(e.parameters(), lr, 0, 0.99, 1e-8),
                new Adam(d.parameters(), lr * ratio, Math.pow(0, ratio), Math.pow(0.99, ratio), 1e-8));
    }
}
