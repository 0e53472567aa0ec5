package org.stylemap.edit;

import org.stylemap.ops.Losses;
import org.stylemap.tensor.Tensor;
import org.stylemap.model.PerceptualLoss;

/** A photo's projection by the encoder and the generator's image of it, with their distance (the official "reconstruction"). */
public record Reconstruction(Latent latent, Tensor image, double mse, double lpips) {
    /** Encodes and decodes one photo [1, 3, size, size]; lpips is NaN when no perceptual metric is given. */
    public static Reconstruction of(EditModel m, Tensor photo, PerceptualLoss lpips) {
        Latent latent = m.encode(photo);
        Tensor image = m.decode(latent);
        return new Reconstruction(latent, image, mse(image, photo), lpips == null ? Double.NaN : lpips.distance(image, photo).item());
    }

    /** Mean squared error over every value, images in [-1, 1] (the official code's measure). */
    public static double mse(Tensor a, Tensor b) {
        return Losses.mse(a, b).item();
    }
}
