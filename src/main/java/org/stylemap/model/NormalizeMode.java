package org.stylemap.model;

/** How a styled convolution normalises its input before the spatial modulation (official names). */
public enum NormalizeMode {
    LAYER_NORM("LayerNorm"), INSTANCE_NORM("InstanceNorm2d"), BATCH_NORM("BatchNorm2d");

    public final String official;

    NormalizeMode(String official) {
        this.official = official;
    }

    public static NormalizeMode parse(String s) {
        for (NormalizeMode m : values()) if (m.official.equalsIgnoreCase(s) || m.name().equalsIgnoreCase(s)) return m;
        throw new IllegalArgumentException("normalize_mode '" + s + "' is not one of LayerNorm, InstanceNorm2d, BatchNorm2d"
                + (s.equalsIgnoreCase("GroupNorm") ? " (GroupNorm is broken in the official code too)" : ""));
    }
}
