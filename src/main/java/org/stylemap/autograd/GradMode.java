package org.stylemap.autograd;

/** Whether ops record graph nodes on this thread. */
public final class GradMode implements AutoCloseable {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});
    private final boolean previous;

    private GradMode(boolean on) {
        boolean[] flag = ENABLED.get();
        previous = flag[0];
        flag[0] = on;
    }

    public static boolean enabled() {
        return ENABLED.get()[0];
    }

    /** try (var g = GradMode.off()) { ... }: nothing inside records a graph. */
    public static GradMode off() {
        return new GradMode(false);
    }

    public static GradMode on() {
        return new GradMode(true);
    }

    @Override
    public void close() {
        ENABLED.get()[0] = previous;
    }
}
