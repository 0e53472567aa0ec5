package org.stylemap.edit;

import java.nio.file.Path;
import org.stylemap.data.RgbImage;
import org.stylemap.tensor.Tensor;

/**
 * One input of an editing command: a photo file (encoded here), or a latent from a file that
 * `encode` or `project` wrote ("FILE.h5" holding one latent, or "FILE.h5:NAME").
 *
 * @param photo the photo [1, 3, size, size], or null for a latent file
 */
public record Input(String name, Tensor photo, Latent latent) {
    public static Input load(EditModel m, String spec) {
        int colon = spec.lastIndexOf(':');
        String file = spec, entry = null;
        if (colon > 0 && spec.substring(0, colon).endsWith(".h5")) {
            file = spec.substring(0, colon);
            entry = spec.substring(colon + 1);
        }
        Path p = Path.of(file);
        String base = p.getFileName() == null ? file : p.getFileName().toString();
        if (file.endsWith(".h5")) return new Input(entry != null ? entry : stem(base), null, LatentFile.pick(p, entry, m));
        Tensor photo = m.photo(p);
        return new Input(stem(base), photo, m.encode(photo));
    }

    /** What to show for this input: the photo, or the latent's image when there is no photo. */
    public RgbImage tile(EditModel m) {
        return Photos.image(photo != null ? photo : m.decode(latent));
    }

    /** The file name without its extension. */
    public static String stem(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }
}
