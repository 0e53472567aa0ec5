package org.stylemap.edit;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.stylemap.autograd.GradMode;
import org.stylemap.memory.Scope;
import org.stylemap.tensor.Tensor;

/** Transplantation, style mixing and interpolation. */
class MixingTest {
    @Test
    void transplantCopiesTheReferenceBoxToTheTargetCellsOnly() {
        EditModel m = TinyModels.random(4);
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            Tensor a = m.encode(TinyModels.photo(32, 1)).stylemap(), b = m.encode(TinyModels.photo(32, 2)).stylemap();
            List<Transplant.Move> moves = List.of(new Transplant.Move(4, 2, 1, 5, 2, 3), new Transplant.Move(0, 0, 6, 0, 2, 2));
            double[] out = Transplant.apply(a, b, moves).toDoubleArray(), av = a.toDoubleArray(), bv = b.toDoubleArray();
            int c = a.shape(1), side = 8;
            for (int ch = 0; ch < c; ch++)
                for (int y = 0; y < side; y++)
                    for (int x = 0; x < side; x++) {
                        double want = av[(ch * side + y) * side + x];
                        for (Transplant.Move mv : moves)
                            if (y >= mv.toY() && y < mv.toY() + mv.h() && x >= mv.toX() && x < mv.toX() + mv.w())
                                want = bv[(ch * side + y - mv.toY() + mv.fromY()) * side + x - mv.toX() + mv.fromX()];
                        assertEquals(want, out[(ch * side + y) * side + x], "cell " + ch + "," + y + "," + x);
                    }
            // The image changes around the target box (rows 4..12 of 32, columns 20..32), much less at the far corner.
            Tensor moved = m.g().synthesize(Transplant.apply(a, b, List.of(moves.getFirst()))), recon = m.g().synthesize(a);
            double target = TinyModels.meanAbsDiff(moved, recon, 4, 20, 12, 32), far = TinyModels.meanAbsDiff(moved, recon, 24, 0, 32, 8);
            assertTrue(target > 4 * far, "target " + target + " vs far " + far);
        }
    }

    @Test
    void transplantBoxesOutsideTheStylemapAreRefused() {
        EditModel m = TinyModels.random(4);
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            Tensor a = m.encode(TinyModels.photo(32, 1)).stylemap();
            var e = assertThrows(IllegalArgumentException.class, () -> Transplant.apply(a, a, List.of(Transplant.Move.parse("6,6", "0,0", "3,3"))));
            assertTrue(e.getMessage().contains("outside the 8x8 stylemap"), e.getMessage());
        }
    }

    @Test
    void interpolationStartsAndEndsAtTheTwoReconstructions() {
        EditModel m = TinyModels.random(5);
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            Latent a = m.encode(TinyModels.photo(32, 1)), b = m.encode(TinyModels.photo(32, 2));
            List<Tensor> f = Mixing.interpolate(m.g(), a, b, 5);
            assertEquals(5, f.size());
            assertArrayEquals(m.decode(a).toDoubleArray(), f.get(0).toDoubleArray());
            assertArrayEquals(m.decode(b).toDoubleArray(), f.get(4).toDoubleArray());
            assertArrayEquals(m.g().synthesize(a.stylemap().mul(0.5).add(b.stylemap().mul(0.5))).toDoubleArray(), f.get(2).toDoubleArray(), 1e-6);
        }
    }

    @Test
    void styleMixTakesTheCoarseStylesFromTheFirstLatent() {
        EditModel m = TinyModels.random(6);
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            Latent a = m.encode(TinyModels.photo(32, 1)), b = m.encode(TinyModels.photo(32, 2));
            List<Tensor> la = a.layers(m.g()), lb = b.layers(m.g());
            List<Tensor> want = new java.util.ArrayList<>(lb);
            want.set(0, la.get(0));
            want.set(1, la.get(1));
            assertArrayEquals(m.g().decoder().synthesize(want).toDoubleArray(), Mixing.styleMix(m.g(), a, b).toDoubleArray());
            // A w_plus latent (per-layer maps) mixes the same way as the stylemap it came from.
            assertArrayEquals(Mixing.styleMix(m.g(), a, b).toDoubleArray(), Mixing.styleMix(m.g(), Latent.ofLayers(la), b).toDoubleArray());
        }
    }
}
