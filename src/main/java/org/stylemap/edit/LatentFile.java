package org.stylemap.edit;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.WritableGroup;
import io.jhdf.api.WritableNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.stylemap.io.H5;
import org.stylemap.model.ModelConfig;
import org.stylemap.ops.Views;
import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;

/**
 * Latents in HDF5 (what `encode` and `project` write; layout in docs/EDITING.md):
 * <pre>
 * /                 attributes format="stylemap-latents", version=1, size, latent_channel_size, latent_spatial_size
 * /w/NAME           float32 [sd, lss, lss], attribute source: the photo it came from
 * /w_plus/NAME/T    float32 [C_T, H_T, W_T], one dataset per resizer layer T = 0, 1, ... (w_plus projections)
 * </pre>
 */
public final class LatentFile {
    public static final String FORMAT = "stylemap-latents";
    public static final int VERSION = 1;

    private LatentFile() {}

    /** A named latent with the file it was made from (may be empty). */
    public record Entry(String name, Latent latent, String source) {}

    public static void write(Path file, ModelConfig c, List<Entry> entries) {
        H5.writeAtomically(file, f -> {
            ModelHeader.write(f, FORMAT, VERSION, c);
            // jhdf 0.13 cannot read back a file where an empty group precedes another: write only groups that hold data.
            List<Entry> w = entries.stream().filter(e -> !e.latent().isWPlus()).toList();
            List<Entry> wPlus = entries.stream().filter(e -> e.latent().isWPlus()).toList();
            if (!w.isEmpty()) {
                WritableGroup g = f.putGroup("w");
                for (Entry e : w) {
                    Tensor s = e.latent().stylemap();
                    H5.put(g, e.name(), Views.reshape(s, s.shape(1), s.shape(2), s.shape(3)));
                    ((WritableNode) g.getChild(e.name())).putAttribute("source", e.source());
                }
            }
            if (!wPlus.isEmpty()) {
                WritableGroup g = f.putGroup("w_plus");
                for (Entry e : wPlus) {
                    WritableGroup layers = g.putGroup(e.name());
                    layers.putAttribute("source", e.source());
                    List<Tensor> maps = e.latent().wPlusLayers();
                    for (int t = 0; t < maps.size(); t++) {
                        Tensor m = maps.get(t);
                        H5.put(layers, String.valueOf(t), Views.reshape(m, m.shape(1), m.shape(2), m.shape(3)));
                    }
                }
            }
        });
    }

    /**
     * Every latent of a file, checked against the model: a file of another format, or stylemaps of
     * another size, are refused with a line naming the file and the entry.
     */
    public static Map<String, Latent> read(Path file, EditModel model) {
        ModelConfig c = model.config();
        Map<String, Latent> out = new LinkedHashMap<>();
        try (HdfFile f = H5.open(file)) {
            if (!FORMAT.equals(H5.attribute(f, "format")))
                throw new IllegalArgumentException(file + ": not a latent file (no format=\"" + FORMAT + "\" attribute; `encode` and `project` write them)");
            int[] sm = {c.latentChannelSize(), c.latentSpatialSize(), c.latentSpatialSize()};
            if (H5.exists(f, "w"))
                for (Map.Entry<String, Node> e : H5.requireGroup(f, "w").getChildren().entrySet()) {
                    Tensor t = read(file, "w/" + e.getKey(), e.getValue(), sm, model);
                    out.put(e.getKey(), Latent.of(Views.unsqueeze(t, 0)));
                }
            if (H5.exists(f, "w_plus")) {
                List<int[]> shapes = layerShapes(model);
                for (Map.Entry<String, Node> e : H5.requireGroup(f, "w_plus").getChildren().entrySet()) {
                    if (!(e.getValue() instanceof Group layers)) throw new IllegalArgumentException(file + ": 'w_plus/" + e.getKey() + "' is not a group");
                    if (layers.getChildren().size() != shapes.size())
                        throw new IllegalArgumentException(file + ": 'w_plus/" + e.getKey() + "' holds " + layers.getChildren().size()
                                + " layer maps but this model has " + shapes.size());
                    List<Tensor> maps = new ArrayList<>();
                    for (int t = 0; t < shapes.size(); t++) {
                        String key = "w_plus/" + e.getKey() + "/" + t;
                        maps.add(Views.unsqueeze(read(file, key, layers.getChild(String.valueOf(t)), shapes.get(t), model), 0));
                    }
                    out.put(e.getKey(), Latent.ofLayers(maps));
                }
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException(file + ": holds no latents");
        return out;
    }

    private static Tensor read(Path file, String key, Node n, int[] shape, EditModel model) {
        if (!(n instanceof Dataset ds)) throw new IllegalArgumentException(file + ": '" + key + "' is missing or not a dataset");
        if (!Arrays.equals(ds.getDimensions(), shape))
            throw new IllegalArgumentException(file + ": '" + key + "' has shape " + Shape.str(ds.getDimensions()) + " but this model's needs "
                    + Shape.str(shape) + " (a latent of another model?)");
        return H5.tensor(ds, model.dtype(), model.device());
    }

    /** The shapes [C, H, W] of the resizer's maps for this model (from one pass on a zero stylemap). */
    private static List<int[]> layerShapes(EditModel model) {
        ModelConfig c = model.config();
        try (var s = org.stylemap.memory.Scope.open(); var off = org.stylemap.autograd.GradMode.off()) {
            List<int[]> out = new ArrayList<>();
            for (Tensor t : model.g().decoder().resize(Tensor.zeros(model.dtype(), model.device(), 1, c.latentChannelSize(),
                    c.latentSpatialSize(), c.latentSpatialSize()))) out.add(new int[] {t.shape(1), t.shape(2), t.shape(3)});
            return out;
        }
    }

    /** One latent of a file: "FILE.h5" when it holds exactly one, or "FILE.h5:NAME". */
    public static Latent pick(Path file, String name, EditModel model) {
        Map<String, Latent> all = read(file, model);
        if (name == null) {
            if (all.size() != 1)
                throw new IllegalArgumentException(file + ": holds " + all.size() + " latents " + all.keySet() + "; name one as " + file + ":NAME");
            return all.values().iterator().next();
        }
        Latent l = all.get(name);
        if (l == null) throw new IllegalArgumentException(file + ": no latent named '" + name + "' (it holds " + all.keySet() + ")");
        return l;
    }
}
