package org.stylemap.parity;

import io.jhdf.HdfFile;
import java.nio.file.Path;
import java.util.Map;
import org.stylemap.io.H5;
import org.stylemap.model.ModelConfig;
import org.stylemap.model.NormalizeMode;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/**
 * A reference fixture in the documented layout (shared/fixtures/README.md): configuration in root
 * attributes, params/, inputs/, outputs/, losses/, grads/, train/. Reads tensors on demand.
 */
public final class Fixture implements AutoCloseable {
    private final HdfFile file;
    private final Path path;

    public Fixture(Path path) {
        this.path = path;
        this.file = H5.open(path);
        if (!H5.exists(file, "params") || !H5.exists(file, "inputs")) {
            String format = H5.attribute(file, "format");
            file.close();
            throw new IllegalArgumentException(path + ": not a parity fixture (no params/ and inputs/ groups"
                    + (format != null ? "; it is a " + format + " file" : "") + ")");
        }
    }

    public Path path() { return path; }

    public String attr(String name) {
        String v = H5.attribute(file, name);
        if (v == null) throw new IllegalArgumentException(path + ": missing root attribute '" + name + "'");
        return v;
    }

    public int intAttr(String name) {
        return (int) Math.round(Double.parseDouble(attr(name)));
    }

    public double doubleAttr(String name) {
        return Double.parseDouble(attr(name));
    }

    public ModelConfig modelConfig() {
        return new ModelConfig(intAttr("size"), intAttr("latent_spatial_size"), intAttr("latent_channel_size"),
                intAttr("mapping_layer_num"), intAttr("channel_multiplier"),
                H5.attribute(file, "channel_max") == null ? 512 : intAttr("channel_max"),
                NormalizeMode.parse(attr("normalize_mode")), intAttr("small_generator") != 0, doubleAttr("lr_mul"));
    }

    public boolean has(String p) {
        return H5.exists(file, p);
    }

    public Tensor tensor(String p, DType dtype, Device device) {
        if (!has(p)) throw new IllegalArgumentException(path + ": missing dataset '" + p + "'");
        return H5.tensor(file, p, dtype, device);
    }

    /** A reference's values on the host (for comparisons), row-major. */
    public double[] values(String p) {
        if (!has(p)) throw new IllegalArgumentException(path + ": missing dataset '" + p + "'");
        return H5.values(file, p);
    }

    public Map<String, Tensor> group(String p, DType dtype, Device device) {
        return H5.group(file, p, dtype, device);
    }

    @Override
    public void close() {
        file.close();
    }
}
