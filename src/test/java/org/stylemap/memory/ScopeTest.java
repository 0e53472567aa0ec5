package org.stylemap.memory;

import static org.junit.jupiter.api.Assertions.*;
import static org.stylemap.testing.Checks.*;

import org.junit.jupiter.api.Test;
import org.stylemap.autograd.Autograd;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Tensor;

class ScopeTest {

    @Test
    void useAfterCloseThrowsSayingFreed() {
        Tensor t, view;
        try (Scope s = Scope.open()) {
            t = randn(1, 3, 4);
            view = t.transpose(0, 1);
            assertEquals(12, t.toDoubleArray().length);
        }
        for (Tensor x : new Tensor[] {t, view}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, x::toDoubleArray);
            assertTrue(e.getMessage().contains("freed"), e.getMessage());
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.exp());
        assertTrue(e.getMessage().contains("freed"), e.getMessage());
        assertTrue(t.storage().isFreed());
    }

    @Test
    void everythingAllocatedInsideIsFreed() {
        Tensor a, b, c;
        try (Scope s = Scope.open()) {
            a = randn(1, 5);
            b = a.mul(2).exp();
            c = b.sum();
            assertTrue(s.size() >= 3, "scope owns " + s.size());
        }
        assertTrue(a.storage().isFreed() && b.storage().isFreed() && c.storage().isFreed());
    }

    @Test
    void keepMovesToTheEnclosingScope() {
        Tensor kept, dropped;
        try (Scope outer = Scope.open()) {
            try (Scope inner = Scope.open()) {
                kept = randn(2, 3);
                dropped = randn(3, 3);
                int before = inner.size();
                assertSame(kept, Scope.keep(kept));
                assertEquals(before - 1, inner.size());
                assertEquals(1, outer.size());
            }
            assertFalse(kept.storage().isFreed());
            assertTrue(dropped.storage().isFreed());
            assertEquals(3, kept.toDoubleArray().length);
        }
        assertTrue(kept.storage().isFreed(), "the outer scope frees what was kept into it");
    }

    @Test
    void keepFromTheOutermostScopeMakesItLongLived() {
        Tensor kept;
        try (Scope s = Scope.open()) {
            kept = Scope.keep(randn(4, 2));
        }
        assertFalse(kept.storage().isFreed());
        assertEquals(2, kept.toDoubleArray().length);
    }

    @Test
    void untrackedAllocationsSurvive() {
        Tensor p;
        try (Scope s = Scope.open()) {
            p = Scope.untracked(() -> randn(5, 4));
            assertEquals(0, s.size());
        }
        assertFalse(p.storage().isFreed());
    }

    @Test
    void leafGradientsOutliveTheStepScope() {
        Tensor w = Scope.untracked(() -> randn(6, 3).requiresGrad(true));
        try (Scope step = Scope.open()) {
            Autograd.backward(w.mul(w).sum());
        }
        assertFalse(w.grad().storage().isFreed());
        assertArrayEquals(w.mul(2).toDoubleArray(), w.grad().toDoubleArray(), 1e-15);
    }

    @Test
    void nestedScopesFreeInOrderAndMustCloseInOrder() {
        Scope outer = Scope.open();
        Scope inner = Scope.open();
        Tensor t = randn(7, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, outer::close);
        assertTrue(e.getMessage().contains("order"), e.getMessage());
        inner.close();
        assertTrue(t.storage().isFreed());
        inner.close();   // idempotent
        Tensor inOuter = randn(9, 2);
        outer.close();   // a refused close left it open and closable
        assertTrue(inOuter.storage().isFreed(), "the outer scope, closed in order, frees what it owns");
        Tensor after = randn(8, 2);
        try (Scope probe = Scope.open()) {
            assertEquals(0, probe.size());
        }
        assertFalse(after.storage().isFreed(), "made with no scope left open: long-lived");
    }

    @Test
    void trainingLikeStepsDoNotLeak() {
        Tensor w = Scope.untracked(() -> randn(9, 16, 16).requiresGrad(true));
        long[] live = new long[6];
        for (int step = 0; step < live.length; step++) {
            try (Scope s = Scope.open()) {
                // a batch made inside the step, as a data loader would, with requiresGrad for the R1 penalty:
                // backward() gives it a .grad, which must not outlive the step
                Tensor xr = randn(10 + step, 8, 16).requiresGrad(true);
                Tensor y = org.stylemap.ops.Elementwise.softplus(org.stylemap.ops.Linalg.linear(xr, w, null)).sum();
                Tensor g = Autograd.grad(new Tensor[] {y}, new Tensor[] {xr}, true)[0];
                Autograd.backward(g.square().sum());
            }
            assertNotNull(w.grad());
            w.zeroGrad();
            live[step] = org.stylemap.backend.Backends.cpu().memoryStats().live();
        }
        // the cleaner may free unrelated garbage meanwhile (lower), but nothing may accumulate per step
        assertTrue(live[5] <= live[1], java.util.Arrays.toString(live));
    }

    @Test
    void gradientOfAScopedLeafLivesAsLongAsTheLeaf() {
        Tensor x, g;
        try (Scope outer = Scope.open()) {
            x = randn(11, 3).requiresGrad(true);
            try (Scope inner = Scope.open()) {
                Autograd.backward(x.square().sum());
            }
            g = x.grad();
            assertFalse(g.storage().isFreed(), "the gradient must survive the inner scope, like its leaf");
            assertArrayEquals(x.mul(2).toDoubleArray(), g.toDoubleArray(), 1e-15);
        }
        assertTrue(x.storage().isFreed());
        assertTrue(g.storage().isFreed(), "and be freed with its leaf");
    }

    @Test
    void liveBytesDropWhenAScopeCloses() {
        long before;
        try (Scope s = Scope.open()) {
            Tensor.zeros(DType.F64, CPU, 1 << 16);
            before = org.stylemap.backend.Backends.cpu().memoryStats().live();
        }
        long after = org.stylemap.backend.Backends.cpu().memoryStats().live();
        assertTrue(before - after >= 8L << 16, "freed " + (before - after) + " bytes");
    }
}
