package org.stylemap.edit;

import java.nio.file.Path;
import java.util.function.Consumer;
import org.stylemap.train.Checkpoint;
import org.stylemap.model.Encoder;
import org.stylemap.model.Generator;
import org.stylemap.model.ModelConfig;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/**
 * The networks every editing operation uses: a checkpoint's EMA generator and encoder, on one device,
 * in eval mode; and where warnings about inputs go (photos enlarged to the model's size).
 */
public record EditModel(Generator g, Encoder e, DType dtype, Device device, Consumer<String> warn) {
    public static EditModel load(Path ckpt, Device device, Consumer<String> warn) {
        Checkpoint.Inference m = Checkpoint.loadInference(ckpt, device);
        return new EditModel(m.g(), m.e(), m.dtype(), device, warn);
    }

    /** A photo file as the model's input [1, 3, size, size]. */
    public Tensor photo(Path file) {
        return Photos.load(file, size(), dtype, device, warn);
    }

    /** A decoded image (named name in warnings) as the model's input [1, 3, size, size]. */
    public Tensor photo(org.stylemap.data.RgbImage img, String name) {
        return Photos.of(img, name, size(), dtype, device, warn);
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
