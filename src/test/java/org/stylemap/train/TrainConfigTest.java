package org.stylemap.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainConfigTest {
    @Test
    void readsOfficialNamesAndRefusesUnknownKeysAndBadValues(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.properties");
        Files.writeString(f, "size = 64\nlambda_perceptual_loss = 0.5\nnormalize_mode = InstanceNorm2d\n");
        TrainConfig c = TrainConfig.load(f);
        assertEquals(64, c.model().size());
        assertEquals(0.5, c.weights().perceptual());
        assertEquals("INSTANCE_NORM", c.model().normalizeMode().name());

        Files.writeString(f, "sise = 64\n");
        var e1 = assertThrows(IllegalArgumentException.class, () -> TrainConfig.load(f));
        assertTrue(e1.getMessage().startsWith("config " + f + ": unknown key 'sise'"), e1.getMessage());

        Files.writeString(f, "batch = many\n");
        var e2 = assertThrows(IllegalArgumentException.class, () -> TrainConfig.load(f));
        assertTrue(e2.getMessage().contains("'batch' needs int value, got 'many'"), e2.getMessage());

        var e3 = assertThrows(IllegalArgumentException.class, () -> TrainConfig.defaults().with(List.of("size=48")).model());
        assertTrue(e3.getMessage().contains("power of two"), e3.getMessage());
        var e4 = assertThrows(IllegalArgumentException.class, () -> TrainConfig.defaults().with(List.of("normalize_mode=GroupNorm")).model());
        assertTrue(e4.getMessage().contains("GroupNorm"), e4.getMessage());
    }

    @Test
    void shippedConfigsLoadAndUseTheOfficialValues() {
        for (String name : new String[] {"tiny", "celeba_hq_256", "afhq_256", "ffhq_256", "lsun_car_256", "lsun_church_256", "ffhq_1024_light"}) {
            TrainConfig c = TrainConfig.load(Path.of("configs", name + ".properties"));
            assertNotNull(c.model(), name);
            if (!name.equals("tiny")) {
                assertEquals(0.002, c.getDouble("lr"), name);
                assertEquals(10, c.getDouble("r1"), name);
                assertEquals(16, c.getInt("d_reg_every"), name);
                assertEquals(512, c.getInt("channel_max"), name);
            }
        }
    }
}
