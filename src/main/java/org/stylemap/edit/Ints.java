package org.stylemap.edit;

/** Comma-separated integer tuples ("y,x", "y0,x0,y1,x1") with one-line errors. */
final class Ints {
    private Ints() {}

    static int[] parse(String s, int count, String what) {
        String[] parts = s.split(",", -1);
        if (parts.length != count) throw new IllegalArgumentException(what + " needs " + count + " comma-separated integers, got '" + s + "'");
        int[] v = new int[count];
        for (int i = 0; i < count; i++) {
            try {
                v[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + " needs " + count + " comma-separated integers, got '" + s + "'");
            }
        }
        return v;
    }
}
