package org.stylemap.train;

import org.stylemap.model.PerceptualLoss;
import org.stylemap.random.Rng;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.stylemap.autograd.GradMode;
import org.stylemap.data.Batch;
import org.stylemap.data.BuiltinDataset;
import org.stylemap.data.ImageDataset;
import org.stylemap.data.Loader;
import org.stylemap.data.Split;
import org.stylemap.io.InputFile;
import org.stylemap.memory.Scope;
import org.stylemap.metrics.TrainingFid;
import org.stylemap.nn.Ema;
import org.stylemap.ops.Losses;
import org.stylemap.tensor.Tensor;

/**
 * The training program around {@link TrainStep}: data, noise, progress lines, metrics log and
 * plot, sample grids, validation, atomic checkpoints, exact resume, Ctrl-C and non-finite losses.
 * Noise and data come from streams whose positions are checkpointed, so a resumed run continues
 * with exactly the numbers an uninterrupted run would have used.
 */
public final class Trainer {
    /** The columns of metrics.csv. */
    static final List<String> COLUMNS = List.of("g_adv", "w_rec", "d", "d_indomain", "r1", "x_rec", "lpips", "e_rec",
            "images_per_s", "val_mse", "val_lpips");
    private static final int GRID = 8;

    private final TrainingState state;
    /** COLUMNS, plus "fid" when fid_interval is on (a run without it keeps the header it always had). */
    private final List<String> columns;
    private final Path out;
    private final PrintStream log;
    private final long iterations;
    private volatile boolean interrupted;

    /** A fresh run, or a resumed one when state comes from a checkpoint. */
    public Trainer(TrainingState state, Path out, long iterations, PrintStream log) {
        this.state = state;
        this.columns = state.config.getInt("fid_interval") > 0
                ? java.util.stream.Stream.concat(COLUMNS.stream(), java.util.stream.Stream.of("fid")).toList() : COLUMNS;
        this.out = out;
        this.iterations = iterations;
        this.log = log;
    }

    /** Asks the loop to stop after the current iteration (it then saves a checkpoint). */
    public void interrupt() {
        interrupted = true;
    }

    /** Whether the run stopped on {@link #interrupt()} rather than at its last iteration. */
    public boolean wasInterrupted() {
        return interrupted;
    }

    /**
     * The run's input files, all checked before any work (by {@link RunFolder#prepare}), so that every missing
     * one is named in one line.
     */
    static void requireInputs(TrainConfig c) {
        List<String> missing = new ArrayList<>();
        if (!c.get("dataset").isEmpty()) missing(missing, "dataset", c.get("dataset"), "make it with `stylemap prepare`");
        if (missing.isEmpty() && !c.get("dataset").isEmpty()) {
            // Opened once here too: a truncated file or another image size is news before any other line.
            try (ImageDataset d = ImageDataset.open(resolve(c.get("dataset")), c.getInt("size"))) {
                d.count(Split.TRAIN);
            } catch (IllegalArgumentException e) {
                missing.add(e.getMessage());
            }
        }
        if (!c.get("lpips_weights").isEmpty() && c.getDouble("lambda_perceptual_loss") != 0)
            missing(missing, "lpips_weights", c.get("lpips_weights"), "see docs/LPIPS.md");
        if (!missing.isEmpty()) throw new IllegalArgumentException(String.join("; ", missing));
    }

    private static void missing(List<String> problems, String key, String path, String hint) {
        try {
            InputFile.require(resolve(path));
        } catch (IllegalArgumentException e) {
            problems.add(key + " " + e.getMessage() + " (" + hint + ")");
        }
    }

    /** Where the dataset comes from: the configured file, or the built-in sample set. */
    static Path datasetPath(TrainConfig c) {
        String d = c.get("dataset");
        Path home = Path.of(System.getProperty("stylemap.home", "."));
        if (!d.isEmpty()) return resolve(d);
        return BuiltinDataset.ensure(home.resolve("datasets"), c.getInt("size"));
    }

    /** A configured path: as given when it exists, else relative to the project folder (configs name datasets/...). */
    static Path resolve(String path) {
        Path p = Path.of(path);
        if (p.isAbsolute() || Files.exists(p)) return p;
        return Path.of(System.getProperty("stylemap.home", ".")).resolve(p);
    }

    /** Runs to the configured number of iterations; returns the losses of every iteration run here. */
    public List<Map<String, Double>> run() {
        TrainConfig c = state.config;
        int batch = c.getInt("batch"), size = c.getInt("size");
        try {
            Files.createDirectories(out);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create " + out + ": " + e.getMessage());
        }
        PerceptualLoss perceptual = Perceptual.fromConfig(c, state, log);
        TrainStep step = new TrainStep(state.g, state.e, state.d, state.gEma, state.eEma, state.opt, c.weights(),
                c.getDouble("r1"), c.getInt("d_reg_every"), c.getDouble("ema_decay"), perceptual);
        List<Map<String, Double>> history = new ArrayList<>();
        try (ImageDataset data = ImageDataset.open(datasetPath(c), size);
             Loader loader = Loader.training(data, batch, c.getInt("seed"), state.dataPosition)) {
            int valCount = Math.min(GRID, data.count(Split.VAL));
            Tensor sampleZ = Scope.untracked(() -> Tensor.randn(new Rng(c.getInt("seed") + 7919L),
                    state.dtype, state.device, GRID, state.model.latentChannelSize()));
            Tensor gridVal = valCount > 0 ? Scope.untracked(() -> data.fixedValidationBatch(valCount).toTensor(state.dtype, state.device)) : null;
            TrainingFid fid = fidTracker(c, data);
            MetricsLog metrics = new MetricsLog(out.resolve("metrics.csv"), columns, state.iteration);
            log.printf("[train] %s: %d train / %d val images of %dx%d; G %.2fM, E %.2fM, D %.2fM parameters; %s; from iteration %d to %d%n",
                    data.file(), data.count(Split.TRAIN), data.count(Split.VAL), size, size, state.g.parameterCount() / 1e6,
                    state.e.parameterCount() / 1e6, state.d.parameterCount() / 1e6, state.dtype.label, state.iteration, iterations);
            long startIt = state.iteration, t0 = System.nanoTime(), tLog = t0, itLog = startIt;
            Map<String, Double> sums = new LinkedHashMap<>();
            Map<String, Integer> counts = new LinkedHashMap<>(); // r1 appears only every d_reg_every iterations
            while (state.iteration < iterations && !interrupted) {
                long it = state.iteration;
                Map<String, Double> losses;
                try (Scope s = Scope.open()) {
                    Batch b = loader.next();
                    Tensor real = b.toTensor(state.dtype, state.device);
                    int zDim = state.model.latentChannelSize();
                    Tensor zG = Tensor.randn(state.noise, state.dtype, state.device, b.count(), zDim);
                    Tensor zD = Tensor.randn(state.noise, state.dtype, state.device, b.count(), zDim);
                    losses = step.run((int) it, real, zG, zD);
                }
                for (Map.Entry<String, Double> e : losses.entrySet())
                    if (!Double.isFinite(e.getValue()))
                        throw new NonFiniteLossException("loss " + e.getKey() + " became " + e.getValue() + " at iteration " + it
                                + "; stopped without saving. The last good checkpoint is in " + out);
                history.add(losses);
                state.iteration = it + 1;
                state.dataPosition = loader.position();
                losses.forEach((k, v) -> {
                    sums.merge(k, v, Double::sum);
                    counts.merge(k, 1, Integer::sum);
                });
                long done = state.iteration;
                boolean last = done == iterations;
                boolean validating = done % c.getInt("val_interval") == 0 || last;
                boolean saving = done % c.getInt("save_network_interval") == 0 || last;
                if (validating || saving) {
                    // The EMA networks run in eval mode on the training networks' BatchNorm statistics.
                    Ema.copyBuffers(state.gEma, state.g);
                    Ema.copyBuffers(state.eEma, state.e);
                }
                if (done % c.getInt("log_interval") == 0 || last) {
                    long now = System.nanoTime();
                    double ips = (done - itLog) * (double) batch / ((now - tLog) / 1e9);
                    Map<String, Double> row = new LinkedHashMap<>();
                    sums.forEach((k, v) -> row.put(k, v / counts.get(k)));
                    row.put("images_per_s", ips);
                    if (validating) row.putAll(validate(data, perceptual));
                    if (fid != null && (done % c.getInt("fid_interval") == 0 || last)) row.put("fid", fid.measure(state.gEma));
                    metrics.append(done, row);
                    LossPlot.write(out.resolve("losses.png"), columns, metrics.rows());
                    log.println(progressLine(done, row, ips, (iterations - done) * (now - t0) / 1e9 / Math.max(1, done - startIt)));
                    sums.clear();
                    counts.clear();
                    tLog = now;
                    itLog = done;
                }
                if (done % c.getInt("sample_interval") == 0 || last)
                    Samples.writeGrid(out.resolve(String.format("sample-%06d.png", done)), state.gEma, state.eEma, sampleZ, gridVal);
                if (saving) save(String.format("ckpt-%06d.h5", done));
            }
            if (interrupted) {
                Path p = save("latest.h5");
                log.println("[train] interrupted at iteration " + state.iteration + "; saved " + p + " (resume with --resume " + p + ")");
            }
        }
        return history;
    }

    private Path save(String name) {
        Path p = out.resolve(name);
        Checkpoint.save(state, p);
        log.println("[train] saved " + p);
        return p;
    }

    /** The FID measurement of fid_interval, or null when it is off. */
    private TrainingFid fidTracker(TrainConfig c, ImageDataset data) {
        int interval = c.getInt("fid_interval");
        if (interval <= 0) return null;
        if (interval % c.getInt("log_interval") != 0)
            throw new IllegalArgumentException("key 'fid_interval' (" + interval + ") must be a multiple of log_interval ("
                    + c.getInt("log_interval") + "): FID is logged with the metric rows");
        return TrainingFid.start(resolve(c.get("inception_weights")), c.getInt("fid_images"), c.getInt("batch"), data, state.device, log);
    }

    /** Reconstruction MSE (and LPIPS) of the EMA encoder + generator over the validation split. */
    private Map<String, Double> validate(ImageDataset data, PerceptualLoss perceptual) {
        int n = Math.min(state.config.getInt("val_images"), data.count(Split.VAL)), batch = state.config.getInt("batch");
        Map<String, Double> r = new LinkedHashMap<>();
        if (n == 0) return r;
        double mse = 0, lp = 0;
        try (GradMode off = GradMode.off()) {
            for (int from = 0; from < n; from += batch) {
                int k = Math.min(batch, n - from);
                int[] idx = new int[k];
                for (int i = 0; i < k; i++) idx[i] = from + i;
                try (Scope s = Scope.open()) {
                    Tensor real = data.batch(Split.VAL, idx, new boolean[k], 0).toTensor(state.dtype, state.device);
                    Tensor rec = state.gEma.synthesize(state.eEma.forward(real));
                    mse += Losses.mse(rec, real).item() * k;
                    if (perceptual != null) lp += perceptual.distance(real, rec).item() * k;
                }
            }
        }
        r.put("val_mse", mse / n);
        if (perceptual != null) r.put("val_lpips", lp / n);
        return r;
    }

    private String progressLine(long done, Map<String, Double> row, double ips, double etaSeconds) {
        StringBuilder sb = new StringBuilder(String.format("[train] it %d/%d |", done, iterations));
        for (String k : columns) {
            Double v = row.get(k);
            if (v != null && !k.equals("images_per_s")) sb.append(String.format(" %s %.4g", k, v));
        }
        return sb.append(String.format(" | %.1f img/s | ETA %s", ips, duration(etaSeconds))).toString();
    }

    static String duration(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format("%dh%02dm", t / 3600, t / 60 % 60) : String.format("%dm%02ds", t / 60, t % 60);
    }

    /** A loss became NaN or infinite. */
    public static final class NonFiniteLossException extends RuntimeException {
        NonFiniteLossException(String m) {
            super(m);
        }
    }
}
