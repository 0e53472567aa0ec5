package org.stylemap.memory;

import static org.junit.jupiter.api.Assertions.*;
import static org.stylemap.testing.Checks.*;

import org.junit.jupiter.api.Test;
import org.stylemap.autograd.Autograd;
import org.stylemap.autograd.GradMode;
import org.stylemap.backend.Backend;
import org.stylemap.backend.Backends;
import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Reductions;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Tensor;

/**
 * Memory is freed at its last use, as PyTorch's reference counting frees it: a layer scope keeps only
 * what a graph node saved for its backward; a backward walk frees each node's saved tensors and each
 * gradient once used, and each node's temporaries when it returns.
 */
class FreeAtLastUseTest {
    private static final int N = 1 << 16; // 512 KiB per float64 tensor
    private static final long BYTES = 8L * N;
    private final Backend cpu = Backends.cpu();

    @Test
    void aNodeSavesExactlyWhatItsBackwardCaptured() {
        try (Scope s = Scope.open()) {
            Tensor a = randn(1, 4).requiresGrad(true), b = randn(2, 4).requiresGrad(true);
            Tensor product = a.mul(b);   // mul's backward reads a and b
            Tensor sum = product.add(b);  // add's backward reads neither input
            try (Scope layer = Scope.openLayer()) {
                Tensor q = product.add(1);
                Tensor kept = Scope.keep(q.mul(2));
                assertFalse(kept.storage().isFreed());
            }
            assertFalse(a.storage().isFreed() || b.storage().isFreed() || product.storage().isFreed() || sum.storage().isFreed());
        }
    }

    @Test
    void aLayerScopeWithoutGradientsKeepsOnlyItsOutput() {
        try (Scope outer = Scope.open(); GradMode off = GradMode.off()) {
            Tensor x = randn(3, N);
            long before = cpu.memoryStats().live();
            Tensor out;
            try (Scope layer = Scope.openLayer()) {
                Tensor h = x.mul(2).exp().add(1);   // three temporaries
                out = Scope.keep(h.sqrt());
            }
            assertEquals(before + BYTES, cpu.memoryStats().live(), "only the output is left");
            assertFalse(out.storage().isFreed());
        }
    }

    @Test
    void aLayerScopeKeepsWhatTheGraphSavedUntilBackwardHasUsedIt() {
        try (Scope outer = Scope.open()) {
            Tensor x = randn(4, N).requiresGrad(true);
            long before = cpu.memoryStats().live();
            Tensor e, mid, out;
            try (Scope layer = Scope.openLayer()) {
                mid = x.mul(3);           // read by nobody's backward: scale saves nothing
                e = mid.exp();            // exp's backward reads its output
                out = Scope.keep(e.add(1));
            }
            assertTrue(mid.storage().isFreed(), "not saved by any node: freed when the layer returned");
            assertFalse(e.storage().isFreed(), "saved by exp's node");
            assertEquals(before + 2 * BYTES, cpu.memoryStats().live());
            Autograd.backward(Reductions.sum(out, null, false));
            assertTrue(e.storage().isFreed(), "freed once exp's backward ran");
            double[] xv = x.toDoubleArray(), gv = x.grad().toDoubleArray();
            for (int i = 0; i < 10; i++) assertEquals(3 * Math.exp(3 * xv[i]), gv[i], 1e-9 * Math.exp(3 * xv[i]));
        }
    }

    @Test
    void aBackwardWalkHoldsAFewGradientsAtATimeNotOnePerNode() {
        int depth = 12;
        try (Scope outer = Scope.open()) {
            Tensor x = randn(5, N).requiresGrad(true);
            Tensor y = x;
            for (int i = 0; i < depth; i++) y = Elementwise.softplus(y);  // each node saves its input
            Tensor loss = Reductions.sum(y, null, false);
            cpu.resetPeakMemory();
            long forward = cpu.memoryStats().live();
            Autograd.backward(loss);
            long extra = cpu.memoryStats().peak() - forward;
            // Each step makes sigmoid(x), gy * it, and holds the incoming gradient: a few tensors, whatever the depth
            // (without freeing it grew with depth: 2-3 tensors per node).
            assertTrue(extra <= 5 * BYTES, "backward peak above the forward: " + extra / BYTES + " tensors");
        }
    }

    @Test
    void aSecondBackwardThroughAFreedGraphSaysSo() {
        try (Scope s = Scope.open()) {
            Tensor x = randn(6, 3).requiresGrad(true);
            Tensor loss = x.exp().sum();
            Autograd.backward(loss);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Autograd.backward(loss));
            assertTrue(e.getMessage().contains("a second time"), e.getMessage());
        }
    }

    @Test
    void createGraphKeepsTheGraphForTheSecondOrder() {
        try (Scope s = Scope.open()) {
            Tensor x = randn(7, 3).requiresGrad(true);
            Tensor y = x.exp().sum();
            Tensor g = Autograd.grad(new Tensor[] {y}, new Tensor[] {x}, true)[0];
            Autograd.backward(g.sum());   // d/dx sum(exp(x)) = exp(x) again
            assertArrayEquals(x.exp().toDoubleArray(), x.grad().toDoubleArray(), 1e-12);
        }
    }

    @Test
    void aBackwardThatCapturesSomethingOpaqueIsRefused() {
        try (Scope s = Scope.open()) {
            Tensor x = randn(8, 2).requiresGrad(true);
            StringBuilder opaque = new StringBuilder();
            var e = assertThrows(IllegalStateException.class, () -> Autograd.record(Tensor.zeros(DType.F64, CPU, 2), "opaque",
                    (gy, n) -> new Tensor[] {opaque.isEmpty() ? gy : gy}, x));
            assertTrue(e.getMessage().contains("captures a java.lang.StringBuilder"), e.getMessage());
        }
    }
}
