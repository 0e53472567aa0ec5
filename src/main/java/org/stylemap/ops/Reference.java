package org.stylemap.ops;

/**
 * The one switch between the fused ops and their composite reference twins. A fused op (bias +
 * leaky ReLU in {@link BiasAct}, the normalize-and-modulate of {@link Modulation}, the Adam and
 * EMA updates in package nn) computes with one or two backend primitives; its reference is the
 * same function composed of elementwise and reduction ops: slower, obviously right, and what the
 * fused path is tested against. Every fused op asks {@link #forced()} on each call.
 * <p>
 * {@code -Dstylemap.reference=true}, or the training configuration key {@code reference=true},
 * forces every reference for the whole run.
 */
public final class Reference {
    private static volatile boolean forced = Boolean.getBoolean("stylemap.reference");

    private Reference() {}

    /** True when every fused op must take its composite reference. */
    public static boolean forced() {
        return forced;
    }

    /** Forces the references for the rest of the process (a run configured with reference=true). */
    public static void force() {
        forced = true;
    }

    /**
     * Selects the references (true) or the fused paths (false) until the returned handle is
     * closed, which restores the previous choice: for comparing both modes in one process.
     */
    public static Restore use(boolean reference) {
        boolean previous = forced;
        forced = reference;
        return () -> forced = previous;
    }

    /** Restores the choice that was in force when {@link #use} was called. */
    @FunctionalInterface
    public interface Restore extends AutoCloseable {
        @Override
        void close();
    }
}
