package org.stylemap.train;

import org.stylemap.random.Rng;
import org.stylemap.model.Discriminator;
import org.stylemap.model.Encoder;
import org.stylemap.model.Generator;
import org.stylemap.model.Init;
import org.stylemap.model.ModelConfig;
import org.stylemap.nn.Ema;
import org.stylemap.ops.Reference;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;

/**
 * Everything a run needs to continue exactly: the five networks, the three optimizers, the
 * configuration, the iteration count, the noise stream's position and the data loader's position.
 */
public final class TrainingState {
    public final TrainConfig config;
    public final ModelConfig model;
    public final DType dtype;
    /** Where the networks, optimizer state and batches live (config key device). */
    public final Device device;
    public final Generator g, gEma;
    public final Encoder e, eEma;
    public final Discriminator d;
    public final Optimizers opt;
    /** Noise for the G and D steps; its (seed, offset) is saved so a resumed run draws the same z. */
    public final Rng noise;
    /** Iterations completed. */
    public long iteration;
    /** Batches the data loader has handed out. */
    public long dataPosition;

    public TrainingState(TrainConfig config, long iteration, long noiseOffset, long dataPosition) {
        this.config = config;
        this.model = config.model();
        this.dtype = DType.parse(config.get("dtype"));
        this.device = config.device();
        if (config.getBool("reference")) Reference.force();
        int seed = config.getInt("seed");
        Init init = new Init(dtype, device, new Rng(seed));
        g = new Generator(init, model);
        e = new Encoder(init, model);
        d = new Discriminator(init, model);
        gEma = new Generator(init, model);
        eEma = new Encoder(init, model);
        Ema.accumulate(gEma, g, 0);
        Ema.accumulate(eEma, e, 0);
        gEma.train(false);
        eEma.train(false);
        opt = Optimizers.official(g, e, d, config.getDouble("lr"), config.getInt("d_reg_every"));
        // A stream of its own, so the noise does not depend on how many values initialisation drew.
        noise = new Rng(seed * 1_000_003L + 17, noiseOffset);
        this.iteration = iteration;
        this.dataPosition = dataPosition;
    }

    /** A fresh run at iteration 0. */
    public static TrainingState fresh(TrainConfig config) {
        return new TrainingState(config, 0, 0, 0);
    }
}
