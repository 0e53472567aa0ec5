package org.stylemap.edit;

import io.jhdf.WritableHdfFile;
import org.stylemap.model.ModelConfig;

/** The root attributes that tie an editing file (latents, directions) to its format and the model's stylemap shape. */
final class ModelHeader {
    private ModelHeader() {}

    static void write(WritableHdfFile f, String format, int version, ModelConfig c) {
        f.putAttribute("format", format);
        f.putAttribute("version", version);
        f.putAttribute("size", c.size());
        f.putAttribute("latent_channel_size", c.latentChannelSize());
        f.putAttribute("latent_spatial_size", c.latentSpatialSize());
    }
}
