package org.stylemap.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The configuration a resumed run continues with: the checkpoint's own, changed by the keys the
 * user gave (--config file, --set) where a run can take the change. Intervals, iterations, the
 * learning rate, loss weights, EMA decay, validation and input files may change; the architecture,
 * the precision, the batch size (the data position counts batches), the seed (noise and data
 * order) and d_reg_every (D's Adam constants) cannot, and asking for them is refused by name.
 */
public final class Resume {
    /** Keys a resumed run cannot change. */
    public static final Set<String> FIXED = Set.of("size", "latent_spatial_size", "latent_channel_size", "mapping_layer_num",
            "channel_multiplier", "channel_max", "normalize_mode", "small_generator", "lr_mul", "dtype", "batch", "seed", "d_reg_every");

    private Resume() {}

    /**
     * The stored configuration with every changeable key of requested.given() applied.
     *
     * @param log receives one line listing the changes, when there are any
     * @throws IllegalArgumentException naming the first fixed key asked to change
     */
    public static TrainConfig apply(Path ckpt, TrainConfig stored, TrainConfig requested, Consumer<String> log) {
        TrainConfig c = stored;
        List<String> changes = new ArrayList<>();
        for (String k : requested.given()) {
            if (stored.sameValue(requested, k)) continue;
            if (FIXED.contains(k))
                throw new IllegalArgumentException("checkpoint " + ckpt + " was trained with " + k + "=" + stored.get(k)
                        + " but the configuration asks for " + k + "=" + requested.get(k) + "; " + k
                        + " cannot change when resuming (start a new run with --out to change it)");
            c = c.with(k, requested.get(k), "--set");
            changes.add(k + " " + stored.get(k) + " -> " + requested.get(k));
        }
        if (!changes.isEmpty()) log.accept("[train] resuming with changes: " + String.join(", ", changes));
        return c;
    }
}
