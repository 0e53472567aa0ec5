package org.stylemap.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.stylemap.ops.Reference;

class ReferenceKeyTest {
    private static final List<String> SMALL = List.of("size=16", "latent_spatial_size=4", "latent_channel_size=8",
            "mapping_layer_num=2", "channel_max=8", "batch=2");

    @Test
    void theConfigKeyForcesTheReferenceTwinsForTheRun() {
        try (Reference.Restore fused = Reference.use(false)) {
            TrainingState.fresh(TrainConfig.defaults().with(SMALL));
            assertFalse(Reference.forced(), "reference=false (the default) must leave the fused paths on");
            TrainingState.fresh(TrainConfig.defaults().with(SMALL).with(List.of("reference=true")));
            assertTrue(Reference.forced());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.defaults().with(List.of("reference=maybe")));
        assertTrue(e.getMessage().contains("'reference' needs bool"), e.getMessage());
    }
}
