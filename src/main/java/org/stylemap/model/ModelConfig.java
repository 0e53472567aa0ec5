package org.stylemap.model;

/**
 * The architecture options of the official code (train.py names in comments), plus channel_max,
 * which clamps the channel table (512 gives the official table).
 */
public record ModelConfig(
        int size,                 // size: image side, a power of two from 16 to 1024
        int latentSpatialSize,    // latent_spatial_size: stylemap side
        int latentChannelSize,    // latent_channel_size: z dimension and stylemap channels
        int mappingLayerNum,      // mapping_layer_num
        int channelMultiplier,    // channel_multiplier
        int channelMax,           // channel_max (512 = official)
        NormalizeMode normalizeMode,
        boolean smallGenerator,   // small_generator
        double lrMul) {           // lr_mul of the mapping network

    /** The official defaults at 256x256. */
    public static ModelConfig official(int size) {
        return new ModelConfig(size, 8, 64, 8, 2, 512, NormalizeMode.LAYER_NORM, false, 0.01);
    }

    public ModelConfig {
        check(isPow2(size) && size >= 16 && size <= 1024, "size must be a power of two from 16 to 1024, got " + size);
        check(isPow2(latentSpatialSize) && latentSpatialSize >= 4 && latentSpatialSize <= size,
                "latent_spatial_size must be a power of two from 4 to size, got " + latentSpatialSize);
        check(latentChannelSize >= 1, "latent_channel_size must be positive, got " + latentChannelSize);
        check(mappingLayerNum >= 1, "mapping_layer_num must be at least 1, got " + mappingLayerNum);
        check(channelMultiplier >= 1, "channel_multiplier must be positive, got " + channelMultiplier);
        check(channelMax >= 1, "channel_max must be positive, got " + channelMax);
        check(lrMul > 0, "lr_mul must be positive, got " + lrMul);
    }

    private static boolean isPow2(int v) {
        return v > 0 && (v & (v - 1)) == 0;
    }

    private static void check(boolean ok, String msg) {
        if (!ok) throw new IllegalArgumentException(msg);
    }

    /** Channels at a resolution: 512 up to 32, then 16384 * multiplier / res, clamped to channel_max. */
    public int channels(int res) {
        int c = res <= 32 ? 512 : 16384 * channelMultiplier / res;
        return Math.min(c, channelMax);
    }

    public static int log2(int v) {
        return 31 - Integer.numberOfLeadingZeros(v);
    }
}
