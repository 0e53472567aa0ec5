package org.stylemap.data;

import java.io.PrintStream;
import java.util.Locale;

/** "label: done/total unit (pct), rate unit/s, ETA" lines on a stream, at most one per interval. */
public final class Progress {
    private final PrintStream out;
    private final String label;
    private final String unit;
    private final long total;
    private final long intervalNanos;
    private final long start = System.nanoTime();
    private long lastPrint = start;

    /**
     * @param intervalMillis the least time between two lines (0 prints every update)
     */
    public Progress(PrintStream out, String label, String unit, long total, long intervalMillis) {
        this.out = out;
        this.label = label;
        this.unit = unit;
        this.total = total;
        this.intervalNanos = intervalMillis * 1_000_000;
    }

    /** Reports that done of total items are finished; prints only when the interval has passed. */
    public void update(long done) {
        long now = System.nanoTime();
        if (now - lastPrint < intervalNanos) return;
        lastPrint = now;
        double seconds = (now - start) / 1e9;
        double rate = done / Math.max(seconds, 1e-9);
        String eta = done > 0 ? duration((total - done) / rate) : "?";
        out.printf(Locale.ROOT, "%s: %d/%d %s (%.0f%%), %.1f %s/s, ETA %s%n", label, done, total, unit,
                100.0 * done / Math.max(total, 1), rate, unit, eta);
    }

    /** Seconds as "42s", "3m07s" or "2h05m". */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) return s + "s";
        if (s < 3600) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
    }
}
