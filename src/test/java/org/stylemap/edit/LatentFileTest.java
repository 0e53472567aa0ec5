package org.stylemap.edit;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylemap.autograd.GradMode;
import org.stylemap.memory.Scope;
import org.stylemap.model.Encoder;
import org.stylemap.model.Generator;
import org.stylemap.model.Init;
import org.stylemap.model.ModelConfig;
import org.stylemap.model.NormalizeMode;
import org.stylemap.random.Rng;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;

/** Latent files: w and w_plus latents round-trip; files of another model or format are refused by name. */
class LatentFileTest {
    @TempDir Path dir;

    @Test
    void wAndWPlusLatentsRoundTrip() {
        EditModel m = TinyModels.random(1);
        Path f = dir.resolve("l.h5");
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            Latent a = m.encode(TinyModels.photo(32, 1)), b = Latent.ofLayers(m.encode(TinyModels.photo(32, 2)).layers(m.g()));
            LatentFile.write(f, m.config(), List.of(new LatentFile.Entry("a", a, "a.png"), new LatentFile.Entry("b", b, "b.png")));
            Map<String, Latent> back = LatentFile.read(f, m);
            assertEquals(List.of("a", "b"), List.copyOf(back.keySet()));
            assertArrayEquals(a.stylemap().toDoubleArray(), back.get("a").stylemap().toDoubleArray(), 1e-7);
            assertTrue(back.get("b").isWPlus());
            assertArrayEquals(m.decode(b).toDoubleArray(), m.decode(back.get("b")).toDoubleArray(), 1e-6);
            assertArrayEquals(m.decode(a).toDoubleArray(), m.decode(LatentFile.pick(f, "a", m)).toDoubleArray(), 1e-6);
            var e = assertThrows(IllegalArgumentException.class, () -> LatentFile.pick(f, null, m));
            assertTrue(e.getMessage().contains("holds 2 latents"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> back.get("b").stylemap(), "a w_plus latent has no stylemap");
        }
    }

    @Test
    void latentsOfAnotherModelAreRefused() {
        ModelConfig other = new ModelConfig(32, 4, 16, 2, 2, 16, NormalizeMode.LAYER_NORM, false, 0.01);
        Init init = new Init(DType.F32, Device.CPU, new Rng(1));
        EditModel small = new EditModel(new Generator(init, other), new Encoder(init, other), DType.F32, Device.CPU, System.err::println);
        Path f = dir.resolve("small.h5");
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            LatentFile.write(f, other, List.of(new LatentFile.Entry("a", small.encode(TinyModels.photo(32, 1)), "")));
        }
        var e = assertThrows(IllegalArgumentException.class, () -> LatentFile.read(f, TinyModels.random(1)));
        assertTrue(e.getMessage().contains("w/a") && e.getMessage().contains("[16, 4, 4]") && e.getMessage().contains("[16, 8, 8]"), e.getMessage());
    }
}
