package org.stylemap.io;

import java.util.Locale;

/**
 * The values a numeric setting (a command-line option or a configuration key) may take. One
 * place words the refusal, so every bad value gets the same one line: the setting's name, the
 * allowed range and the value given. NaN is outside every range; infinities are outside every
 * range that has a finite bound on that side, and {@link #finite()} excludes both.
 */
public record Range(double min, boolean minInclusive, double max, boolean maxInclusive, boolean integer) {
    /** Integers n >= min. */
    public static Range atLeast(long min) {
        return new Range(min, true, Double.POSITIVE_INFINITY, false, true);
    }

    /** Integers in [min, max]. */
    public static Range integers(long min, long max) {
        return new Range(min, true, max, true, true);
    }

    /** Real numbers x > 0 (finite). */
    public static Range positive() {
        return new Range(0, false, Double.MAX_VALUE, true, false);
    }

    /** Real numbers x >= 0 (finite). */
    public static Range nonNegative() {
        return new Range(0, true, Double.MAX_VALUE, true, false);
    }

    /** Any finite real number. */
    public static Range finite() {
        return new Range(-Double.MAX_VALUE, true, Double.MAX_VALUE, true, false);
    }

    /** Real numbers in [min, max]. */
    public static Range closed(double min, double max) {
        return new Range(min, true, max, true, false);
    }

    /** Real numbers in [min, max). */
    public static Range closedOpen(double min, double max) {
        return new Range(min, true, max, false, false);
    }

    public boolean contains(double v) {
        boolean aboveMin = minInclusive ? v >= min : v > min;
        boolean belowMax = maxInclusive ? v <= max : v < max;
        return aboveMin && belowMax && (!integer || v == Math.rint(v));
    }

    /** The range in words: "an integer >= 1", "a number in [0, 1]", "a finite number > 0". */
    public String describe() {
        String kind = integer ? "an integer" : "a finite number";
        boolean lowOpen = min == -Double.MAX_VALUE || min == Double.NEGATIVE_INFINITY;
        boolean highOpen = max == Double.MAX_VALUE || max == Double.POSITIVE_INFINITY;
        if (lowOpen && highOpen) return kind;
        if (highOpen) return kind + (minInclusive ? " >= " : " > ") + number(min);
        if (lowOpen) return kind + (maxInclusive ? " <= " : " < ") + number(max);
        return kind + " in " + (minInclusive ? "[" : "(") + number(min) + ", " + number(max) + (maxInclusive ? "]" : ")");
    }

    /**
     * The value, when it lies in the range.
     *
     * @param name how the user wrote the setting: "--n", "key 'lr'", "config F: key 'lr'"
     * @throws IllegalArgumentException "NAME must be RANGE, got VALUE"
     */
    public double check(String name, double v) {
        if (!contains(v)) throw new IllegalArgumentException(name + " must be " + describe() + ", got " + number(v));
        return v;
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%s", v);
    }
}
