package org.stylemap.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.stylemap.memory.Scope;
import org.stylemap.random.Rng;
import org.stylemap.tensor.Tensor;

/** The async contract of the training step: no host read inside any forward or backward, one per iteration. */
class TrainStepTest {
    @Test
    void anIterationReadsItsLossesFromTheDeviceOnce() {
        TrainingState s = TrainingState.fresh(TrainerTest.tiny());
        TrainStep step = new TrainStep(s.g, s.e, s.d, s.gEma, s.eEma, s.opt, s.config.weights(), s.config.getDouble("r1"),
                s.config.getInt("d_reg_every"), s.config.getDouble("ema_decay"), null);
        Rng gen = new Rng(3);
        for (int it = 0; it < 2; it++) // iteration 0 runs R1 (its double backward too), iteration 1 does not
            try (Scope sc = Scope.open()) {
                Tensor real = Tensor.rand(gen, s.dtype, s.device, 2, 3, 16, 16).mul(2).sub(1);
                Tensor zG = Tensor.randn(gen, s.dtype, s.device, 2, 8), zD = Tensor.randn(gen, s.dtype, s.device, 2, 8);
                long before = Tensor.hostReads();
                Map<String, Double> losses = step.run(it, real, zG, zD);
                assertEquals(1, Tensor.hostReads() - before, "host reads in iteration " + it);
                Set<String> expected = it == 0 ? Set.of("g_adv", "w_rec", "d", "d_indomain", "r1", "e_rec", "x_rec")
                        : Set.of("g_adv", "w_rec", "d", "d_indomain", "e_rec", "x_rec");
                assertEquals(expected, losses.keySet());
                for (double v : losses.values()) assertTrue(Double.isFinite(v), losses.toString());
                assertTrue(losses.get("d") > losses.get("d_indomain"), "d is the sum of its positive terms: " + losses);
            }
    }
}
