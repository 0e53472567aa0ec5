package org.stylemap.edit;

/** Where a local edit mixes: once in the stylemap ("w") or at every resizer layer ("w_plus"). */
public enum Space {
    W("w"),
    W_PLUS("w_plus");

    public final String label;

    Space(String label) {
        this.label = label;
    }

    /** "w" or "w_plus"; anything else is refused naming the value. */
    public static Space parse(String s) {
        for (Space v : values()) if (v.label.equals(s)) return v;
        throw new IllegalArgumentException("space must be w or w_plus, got '" + s + "'");
    }
}
