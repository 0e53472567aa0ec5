package org.stylemap.edit;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.stylemap.autograd.GradMode;
import org.stylemap.memory.Scope;
import org.stylemap.tensor.Tensor;

/** Projection refinement and generator adaptation lower the errors they report, and touch only what they should. */
class OptimizationTest {
    @Test
    void projectionLowersTheReconstructionErrorInBothSpaces() {
        EditModel m = TinyModels.random(7);
        Tensor photo = TinyModels.photo(32, 3);
        double encoderMse;
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            encoderMse = Reconstruction.mse(m.decode(m.encode(photo)), photo);
        }
        Map<String, Tensor> before = snapshot(m);
        for (Space space : Space.values()) {
            int[] seen = {0};
            Projection.Result r = Projection.refine(m, photo, new Projection.Options(space, 15, 0.05, null, 0.1), k -> seen[0] = k);
            assertEquals(15, seen[0]);
            assertEquals(encoderMse, r.mseBefore(), 1e-12, "starts from the encoder's projection");
            assertTrue(r.mseAfter() < 0.8 * r.mseBefore(), space + ": " + r.mseBefore() + " -> " + r.mseAfter());
            assertEquals(space == Space.W_PLUS, r.latent().isWPlus());
            try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
                assertEquals(r.mseAfter(), Reconstruction.mse(m.decode(r.latent()), photo), 1e-12, "the reported error is the latent's");
            }
        }
        assertUnchanged(before, m);
    }

    @Test
    void adaptationTunesOnlyTheLastBlocksAndKeepsTheUneditedRegionCloserToThePhoto() {
        EditModel m = TinyModels.random(8);
        Map<String, Tensor> before = snapshot(m);
        assertTrue(Adaptation.tunedParameters(m.g(), 1).keySet().stream().allMatch(k -> k.startsWith("decoder.to_rgb.")));
        int last = m.g().decoder().blockCount() - 1;
        var two = Adaptation.tunedParameters(m.g(), 2).keySet();
        assertTrue(two.stream().anyMatch(k -> k.startsWith("decoder.convs." + last + ".")) && two.stream().noneMatch(k -> k.startsWith("decoder.convs." + (last - 1) + ".")), two.toString());
        assertThrows(IllegalArgumentException.class, () -> Adaptation.tunedParameters(m.g(), last + 3));

        try (Scope s = Scope.open()) {
            Tensor photo = TinyModels.photo(32, 11), mask = Masks.box(new Masks.Box(0, 0, 32, 12), 32, m.dtype(), m.device());
            Latent a, b;
            Tensor plainEdit;
            List<LocalEdit.Pair> pair;
            try (GradMode off = GradMode.off()) {
                a = m.encode(photo);
                b = m.encode(TinyModels.photo(32, 12));
                pair = List.of(new LocalEdit.Pair(b, mask));
                plainEdit = LocalEdit.apply(m.g(), a, pair, Space.W_PLUS, 1);
            }
            Adaptation.Result r = Adaptation.adapt(m, a, photo, new Adaptation.Options(2, 30, 0.01, null), null);
            assertTrue(r.mseAfter() < 0.7 * r.mseBefore(), r.mseBefore() + " -> " + r.mseAfter());
            try (GradMode off = GradMode.off()) {
                Tensor adaptedEdit = LocalEdit.apply(r.adapted(), a, pair, Space.W_PLUS, 1);
                double plain = LocalEditError.measure(plainEdit, photo, photo, mask).mseSrc()[0];
                double adapted = LocalEditError.measure(adaptedEdit, photo, photo, mask).mseSrc()[0];
                assertTrue(adapted < 0.8 * plain, "outside the mask: " + plain + " without, " + adapted + " with adaptation");
            }
        }
        assertUnchanged(before, m);
    }

    private static Map<String, Tensor> snapshot(EditModel m) {
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        m.g().stateDict().forEach((k, t) -> out.put("g." + k, Scope.untracked(() -> t.detach().contiguous().mul(1))));
        m.e().stateDict().forEach((k, t) -> out.put("e." + k, Scope.untracked(() -> t.detach().contiguous().mul(1))));
        return out;
    }

    private static void assertUnchanged(Map<String, Tensor> before, EditModel m) {
        Map<String, Tensor> now = snapshot(m);
        before.forEach((k, t) -> assertArrayEquals(t.toDoubleArray(), now.get(k).toDoubleArray(), "the model's " + k + " changed"));
        assertTrue(m.g().parameters().values().stream().allMatch(p -> p.grad() == null), "gradients left on the generator");
    }
}
