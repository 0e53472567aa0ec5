package org.stylemap.train;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.LinkedHashSet;
import org.stylemap.io.Range;
import org.stylemap.model.ModelConfig;
import org.stylemap.model.NormalizeMode;
import org.stylemap.tensor.Device;

/**
 * A training run's configuration: key = value pairs under the official train.py argument names
 * (plus channel_max and this program's own keys). Every key is declared with its type and
 * default, so unknown keys and malformed values are refused with the file and the key named.
 */
public final class TrainConfig {
    private enum Type { INT, DOUBLE, BOOL, STRING }

    /** A key's type, default, meaning and, for numbers, the values it may take. */
    private record Key(Type type, String def, String doc, Range range) {}

    private static final Map<String, Key> KEYS = new LinkedHashMap<>();

    private static void key(String name, Type t, String def, String doc) {
        KEYS.put(name, new Key(t, def, doc, null));
    }

    private static void key(String name, Type t, String def, String doc, Range range) {
        KEYS.put(name, new Key(t, def, doc, range));
    }

    static {
        // Architecture (official names and defaults at 256x256).
        key("size", Type.INT, "256", "image side, a power of two from 16 to 1024", Range.integers(16, 1024));
        key("latent_spatial_size", Type.INT, "8", "stylemap side", Range.atLeast(4));
        key("latent_channel_size", Type.INT, "64", "stylemap channels (and z dimension)", Range.atLeast(1));
        key("mapping_layer_num", Type.INT, "8", "mapping network layers", Range.atLeast(1));
        key("channel_multiplier", Type.INT, "2", "channel multiplier of the channel table", Range.atLeast(1));
        key("channel_max", Type.INT, "512", "clamp of the channel table (512 = official)", Range.atLeast(1));
        key("normalize_mode", Type.STRING, "LayerNorm", "LayerNorm, InstanceNorm2d or BatchNorm2d");
        key("small_generator", Type.BOOL, "false", "stylemaps of latent_channel_size channels at every layer");
        key("lr_mul", Type.DOUBLE, "0.01", "learning-rate multiplier of the mapping network", Range.positive());
        // Optimisation (official names and defaults).
        key("batch", Type.INT, "16", "images per iteration", Range.atLeast(1));
        key("lr", Type.DOUBLE, "0.002", "Adam learning rate (D: lr * d_reg_every / (d_reg_every + 1))", Range.positive());
        key("r1", Type.DOUBLE, "10", "R1 penalty weight gamma", Range.nonNegative());
        key("d_reg_every", Type.INT, "16", "lazy R1 interval", Range.atLeast(1));
        key("iter", Type.INT, "1400000", "iterations to train", Range.atLeast(1));
        key("ema_decay", Type.DOUBLE, "0.999", "decay of the EMA generator and encoder (official 0.999)", Range.closed(0, 1));
        key("lambda_x_rec_loss", Type.DOUBLE, "1", "image reconstruction MSE", Range.nonNegative());
        key("lambda_adv_loss", Type.DOUBLE, "1", "generator adversarial loss", Range.nonNegative());
        key("lambda_w_rec_loss", Type.DOUBLE, "1", "stylemap reconstruction loss", Range.nonNegative());
        key("lambda_d_loss", Type.DOUBLE, "1", "discriminator loss", Range.nonNegative());
        key("lambda_perceptual_loss", Type.DOUBLE, "1", "LPIPS (off without lpips_weights)", Range.nonNegative());
        key("lambda_indomainGAN_D_loss", Type.DOUBLE, "1", "in-domain term of D", Range.nonNegative());
        key("lambda_indomainGAN_E_loss", Type.DOUBLE, "1", "in-domain term of E", Range.nonNegative());
        // This program's own keys.
        key("dataset", Type.STRING, "", "prepared HDF5 dataset (stylemap prepare); empty = the built-in sample set");
        key("lpips_weights", Type.STRING, "", "HDF5 file with LPIPS-VGG16 weights; empty = perceptual loss off");
        key("seed", Type.INT, "1", "seed of initialisation, noise and data order");
        key("dtype", Type.STRING, "f32", "f32 or f64");
        key("device", Type.STRING, "cpu", "where to train: cpu, cuda, cuda:N or cuda-emu (the CUDA kernels on the host emulator)");
        key("save_network_interval", Type.INT, "10000", "iterations between checkpoints (official name)", Range.atLeast(1));
        key("sample_interval", Type.INT, "1000", "iterations between sample grids", Range.atLeast(1));
        key("val_interval", Type.INT, "10000", "iterations between validations", Range.atLeast(1));
        key("val_images", Type.INT, "64", "validation images used at each validation", Range.atLeast(0));
        key("log_interval", Type.INT, "10", "iterations between progress lines and metric rows", Range.atLeast(1));
        key("fid_interval", Type.INT, "0", "iterations between FID measurements (a multiple of log_interval; 0 = off)", Range.atLeast(0));
        key("fid_images", Type.INT, "1000", "generated images (and training images) per FID measurement", Range.atLeast(2));
        key("inception_weights", Type.STRING, "weights/pt_inception-2015-12-05.h5", "FID Inception weights (docs/FID.md)");
        key("reference", Type.BOOL, "false", "compute every fused op with its composite reference twin (as -Dstylemap.reference=true)");
    }

    private final Map<String, String> values;
    private final Set<String> given;

    private TrainConfig(Map<String, String> values, Set<String> given) {
        this.values = values;
        this.given = given;
    }

    public static TrainConfig defaults() {
        Map<String, String> v = new LinkedHashMap<>();
        KEYS.forEach((k, key) -> v.put(k, key.def()));
        return new TrainConfig(v, Set.of());
    }

    /** Reads a properties file over the defaults. */
    public static TrainConfig load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalArgumentException("config " + file + ": cannot read (" + e.getMessage() + ")");
        }
        TrainConfig c = defaults();
        for (String k : p.stringPropertyNames()) c = c.with(k, p.getProperty(k), "config " + file);
        return c;
    }

    /** A copy with key set to value (validated); source names where the value came from in errors. */
    public TrainConfig with(String key, String value, String source) {
        Key k = KEYS.get(key);
        if (k == null) throw new IllegalArgumentException(source + ": unknown key '" + key + "' (known: " + String.join(", ", KEYS.keySet()) + ")");
        String v = value.trim();
        double number;
        try {
            switch (k.type()) {
                case INT -> number = Integer.parseInt(v);
                case DOUBLE -> number = Double.parseDouble(v);
                case BOOL -> {
                    if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false") && !v.equals("0") && !v.equals("1"))
                        throw new NumberFormatException();
                    number = 0;
                }
                default -> number = 0;
            }
            if (key.equals("device")) Device.parse(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": key '" + key + "' needs " + k.type().name().toLowerCase()
                    + " value, got '" + value + "'");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": key '" + key + "': " + e.getMessage());
        }
        if (k.range() != null) k.range().check(source + ": key '" + key + "'", number);
        Map<String, String> copy = new LinkedHashMap<>(values);
        copy.put(key, v);
        Set<String> given = new LinkedHashSet<>(this.given);
        given.add(key);
        return new TrainConfig(copy, given);
    }

    /** The keys set explicitly (by a file, --set or a checkpoint), as opposed to defaults. */
    public Set<String> given() {
        return Collections.unmodifiableSet(given);
    }

    /** Applies "key=value" overrides (from --set). */
    public TrainConfig with(Iterable<String> assignments) {
        TrainConfig c = this;
        for (String a : assignments) {
            int eq = a.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("--set needs key=value, got '" + a + "'");
            c = c.with(a.substring(0, eq).trim(), a.substring(eq + 1), "--set");
        }
        return c;
    }

    public int getInt(String k) { return Integer.parseInt(get(k)); }
    public double getDouble(String k) { return Double.parseDouble(get(k)); }
    public boolean getBool(String k) { String v = get(k); return v.equalsIgnoreCase("true") || v.equals("1"); }

    public String get(String k) {
        String v = values.get(k);
        if (v == null) throw new IllegalArgumentException("unknown config key '" + k + "'");
        return v;
    }

    /** Whether both configurations hold the same value for k (numbers compared as numbers: 2e-3 is 0.002). */
    public boolean sameValue(TrainConfig other, String k) {
        return switch (KEYS.get(k).type()) {
            case INT, DOUBLE -> getDouble(k) == other.getDouble(k);
            case BOOL -> getBool(k) == other.getBool(k);
            case STRING -> get(k).equals(other.get(k));
        };
    }

    public Map<String, String> asMap() {
        return Collections.unmodifiableMap(values);
    }

    /** Every key with its default and meaning, for --help and the README. */
    public static Map<String, String> documentation() {
        Map<String, String> m = new LinkedHashMap<>();
        KEYS.forEach((k, key) -> m.put(k, key.doc() + " (default " + (key.def().isEmpty() ? "empty" : key.def()) + ")"));
        return m;
    }

    public ModelConfig model() {
        return new ModelConfig(getInt("size"), getInt("latent_spatial_size"), getInt("latent_channel_size"),
                getInt("mapping_layer_num"), getInt("channel_multiplier"), getInt("channel_max"),
                NormalizeMode.parse(get("normalize_mode")), getBool("small_generator"), getDouble("lr_mul"));
    }

    public Device device() {
        return Device.parse(get("device"));
    }

    public LossWeights weights() {
        return new LossWeights(getDouble("lambda_x_rec_loss"), getDouble("lambda_adv_loss"), getDouble("lambda_w_rec_loss"),
                getDouble("lambda_d_loss"), getDouble("lambda_perceptual_loss"), getDouble("lambda_indomainGAN_D_loss"),
                getDouble("lambda_indomainGAN_E_loss"));
    }
}
