package org.stylemap.train;

import org.stylemap.model.PerceptualLoss;
import java.io.PrintStream;
import java.nio.file.Path;
import org.stylemap.model.Lpips;

/** The perceptual term of the reconstruction loss: LPIPS when weights are configured, else off (said once). */
final class Perceptual {
    private Perceptual() {}

    static PerceptualLoss fromConfig(TrainConfig c, TrainingState state, PrintStream log) {
        String weights = c.get("lpips_weights");
        if (c.getDouble("lambda_perceptual_loss") == 0) return null;
        if (weights.isEmpty()) {
            log.println("[train] note: no lpips_weights configured, so the LPIPS term of the reconstruction loss is off "
                    + "(see docs/LPIPS.md to export the VGG16 + LPIPS weights)");
            return null;
        }
        Lpips lpips = Lpips.load(Trainer.resolve(weights), state.dtype, state.device);
        // The official run calls model.train() after LPIPS put itself in eval mode, so its dropout is
        // active in training (and validation). Masks come from the checkpointed noise stream.
        lpips.setDropout(state.noise);
        return lpips;
    }
}
