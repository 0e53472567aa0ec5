package org.stylemap.train;

import org.stylemap.random.Rng;
import io.jhdf.HdfFile;
import org.stylemap.io.H5;
import io.jhdf.api.Node;
import io.jhdf.api.WritableGroup;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.stylemap.model.Encoder;
import org.stylemap.model.Generator;
import org.stylemap.model.Init;
import org.stylemap.nn.Adam;
import org.stylemap.tensor.DType;
import org.stylemap.nn.Module;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/**
 * One HDF5 file per checkpoint (layout in the README):
 * <pre>
 * /                    attributes format="stylemap-checkpoint", version, iteration, noise_seed,
 *                      noise_offset, data_position, and one string attribute per configuration
 *                      key (official train.py names, as in the reference fixtures)
 * /generator/KEY       state_dict entries under the official keys (likewise /encoder,
 * /discriminator/KEY   /discriminator, /g_ema, /e_ema)
 * /g_optim/exp_avg:KEY, /g_optim/exp_avg_sq:KEY, /g_optim/step:KEY   Adam state (likewise e_optim, d_optim)
 * </pre>
 * Written to FILE.tmp and renamed, so a crash never leaves a half-written checkpoint. An optimizer
 * that has not stepped yet has no group: jhdf 0.13 writes unreadable files when a group without
 * datasets precedes another group, so every group written holds datasets.
 */
public final class Checkpoint {
    public static final String FORMAT = "stylemap-checkpoint";
    public static final int VERSION = 1;
    private static final String[] MODULES = {"generator", "encoder", "discriminator", "g_ema", "e_ema"};
    private static final String[] OPTIMS = {"g_optim", "e_optim", "d_optim"};
    /** HDF5 bytes per dataset besides its data (object header, link), as jhdf writes them: about 100-200. */
    private static final long DATASET_OVERHEAD = 160;

    private Checkpoint() {}

    private static Module[] modules(TrainingState s) {
        return new Module[] {s.g, s.e, s.d, s.gEma, s.eEma};
    }

    private static Adam[] optims(TrainingState s) {
        return new Adam[] {s.opt.g(), s.opt.e(), s.opt.d()};
    }

    public static void save(TrainingState s, Path path) {
        H5.writeAtomically(path, estimatedBytes(s), f -> {
            f.putAttribute("format", FORMAT);
            f.putAttribute("version", VERSION);
            f.putAttribute("iteration", s.iteration);
            f.putAttribute("noise_seed", s.noise.seed());
            f.putAttribute("noise_offset", s.noise.offset());
            f.putAttribute("data_position", s.dataPosition);
            s.config.asMap().forEach(f::putAttribute);
            Module[] ms = modules(s);
            for (int i = 0; i < ms.length; i++) {
                WritableGroup g = f.putGroup(MODULES[i]);
                ms[i].stateDict().forEach((k, t) -> H5.put(g, k, t));
            }
            Adam[] os = optims(s);
            for (int i = 0; i < os.length; i++) {
                if (os[i].steps().isEmpty()) continue;
                WritableGroup g = f.putGroup(OPTIMS[i]);
                // In name order: the optimizer's own order depends on whether it stepped or was loaded, and a
                // resumed run's checkpoint should be the same file as an uninterrupted run's.
                new TreeMap<>(os[i].state()).forEach((k, t) -> H5.put(g, k.replace('/', ':'), t));
                new TreeMap<>(os[i].steps()).forEach((k, n) -> g.putDataset("step:" + k, new long[] {n}));
            }
        });
    }

    /**
     * About how many bytes a checkpoint of this state takes: every network's tensors and, once the
     * optimizers have stepped, two Adam moments per parameter (they have not stepped at iteration 0).
     */
    public static long estimatedBytes(TrainingState s) {
        long elements = 0, datasets = 0;
        for (Module m : modules(s))
            for (Tensor t : m.stateDict().values()) {
                elements += t.numel();
                datasets++;
            }
        for (Module m : new Module[] {s.g, s.e, s.d})
            for (Tensor t : m.stateDict().values()) {
                elements += 2 * t.numel();
                datasets += 3; // two moments and a step count
            }
        return elements * s.dtype.bytes + datasets * DATASET_OVERHEAD;
    }

    /** The configuration stored in a checkpoint (after checking that the file is one). */
    public static TrainConfig config(HdfFile f, Path path) {
        String format = H5.attribute(f, "format");
        if (!FORMAT.equals(format))
            throw new IllegalArgumentException(path + ": not a stylemap checkpoint (no format=\"" + FORMAT + "\" attribute)");
        TrainConfig c = TrainConfig.defaults();
        for (String k : f.getAttributes().keySet())
            if (TrainConfig.documentation().containsKey(k)) c = c.with(k, H5.attribute(f, k), path.toString());
        return c;
    }

    /** Restores a full training state (models, optimizers, counters) from a checkpoint, on the device of its configuration. */
    public static TrainingState load(Path path) {
        return load(path, c -> c);
    }

    /**
     * Restores a training state whose configuration is the stored one changed by adjust (a resumed
     * run's new intervals, learning rate or device; see {@code Resume}).
     */
    public static TrainingState load(Path path, java.util.function.UnaryOperator<TrainConfig> adjust) {
        return read(path, f -> {
            TrainConfig c = adjust.apply(config(f, path));
            TrainingState s = new TrainingState(c, longAttr(f, path, "iteration"), longAttr(f, path, "noise_offset"),
                    longAttr(f, path, "data_position"));
            Module[] ms = modules(s);
            for (int i = 0; i < ms.length; i++) ms[i].loadStateDict(H5.group(f, MODULES[i], s.dtype, s.device), path + " /" + MODULES[i]);
            Adam[] os = optims(s);
            for (int i = 0; i < os.length; i++) {
                if (!H5.exists(f, OPTIMS[i])) continue;
                Map<String, Tensor> state = new LinkedHashMap<>();
                Map<String, Long> steps = new LinkedHashMap<>();
                H5.group(f, OPTIMS[i], s.dtype, s.device).forEach((k, t) -> {
                    if (k.startsWith("step:")) steps.put(k.substring(5), (long) t.item());
                    else state.put(k.replace(':', '/'), t);
                });
                os[i].load(state, steps);
            }
            return s;
        });
    }

    /** Runs body on the open file; failures other than our own one-line refusals become "unreadable or truncated". */
    private static <T> T read(Path path, java.util.function.Function<HdfFile, T> body) {
        try (HdfFile f = H5.open(path)) {
            return body.apply(f);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(path + ": unreadable or truncated checkpoint (" + e.getMessage() + ")");
        }
    }

    /** The EMA networks used for generation and editing. */
    public record Inference(TrainConfig config, Generator g, Encoder e) {
        public DType dtype() {
            return DType.parse(config.get("dtype"));
        }
    }

    /**
     * Loads only /config, /g_ema and /e_ema: enough for generate/encode/edit, and all that an
     * export of an official PyTorch checkpoint needs to contain (see the README's h5py recipe).
     */
    public static Inference loadInference(Path path, Device device) {
        return read(path, f -> {
            TrainConfig c = config(f, path).with("device", device.toString(), "device");
            DType dtype = DType.parse(c.get("dtype"));
            Init init = new Init(dtype, device, new Rng(0));
            Generator g = new Generator(init, c.model());
            Encoder e = new Encoder(init, c.model());
            g.loadStateDict(H5.group(f, "g_ema", dtype, device), path + " /g_ema");
            e.loadStateDict(H5.group(f, "e_ema", dtype, device), path + " /e_ema");
            g.train(false);
            e.train(false);
            return new Inference(c, g, e);
        });
    }

    private static long longAttr(Node n, Path path, String name) {
        String v = H5.attribute(n, name);
        if (v == null) throw new IllegalArgumentException(path + ": missing attribute '" + name + "'");
        return Long.parseLong(v);
    }
}
