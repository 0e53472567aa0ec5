package org.stylemap.edit;

import java.nio.file.Path;
import org.stylemap.io.Checkpoint;
import org.stylemap.model.Encoder;
import org.stylemap.model.Generator;
import org.stylemap.model.ModelConfig;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/** The networks every editing operation uses: a checkpoint's EMA generator and encoder, on one device, in eval mode. */
public record EditModel(Generator g, Encoder e, DType dtype, Device device) {
    public static EditModel load(Path ckpt, Device device) {
        Checkpoint.Inference m = Checkpoint.loadInference(ckpt, device);
        return new EditModel(m.g(), m.e(), m.dtype(), device);
    }

    public ModelConfig config() {
        return g.config();
    }

    /** Image side. */
    public int size() {
        return g.config().size();
    }

    /** The encoder's projection of one photo [1, 3, size, size] (one pass, no optimization). */
    public Latent encode(Tensor photo) {
        return Latent.of(e.forward(photo));
    }

    public Tensor decode(Latent latent) {
        return latent.decode(g);
    }
}
