package org.stylemap.parity;

import org.stylemap.random.Rng;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.function.Consumer;
import org.stylemap.autograd.Autograd;
import org.stylemap.autograd.GradMode;
import org.stylemap.memory.Scope;
import org.stylemap.model.Discriminator;
import org.stylemap.model.Encoder;
import org.stylemap.model.Generator;
import org.stylemap.model.Init;
import org.stylemap.model.ModelConfig;
import org.stylemap.nn.Module;
import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Views;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;
import org.stylemap.train.LossWeights;
import org.stylemap.train.Optimizers;
import org.stylemap.train.TrainLosses;
import org.stylemap.train.TrainStep;

/**
 * Recomputes every tensor of a reference fixture from its configuration, parameters and inputs:
 * forward outputs, editing outputs, losses, first- and second-order gradients, and two full
 * training iterations. Tolerances (shared/fixtures/README.md): float64 everything 1e-9 relative;
 * float32 outputs and losses 1e-4, gradients 1e-3, trained parameters every element within 0.5 lr.
 * As the fixture README says, every section starts from networks freshly loaded from params/
 * (so BatchNorm running statistics never carry over), and the editing outputs run in eval mode
 * (the official generate.py), everything else in train mode (train.py). The losses are the
 * training loop's own ({@link TrainLosses}).
 */
public final class ParityCheck {
    /** The fixture's parts, each checked from freshly loaded networks. */
    public enum Section { OUTPUTS, EDITING, GRADIENTS, TRAINING }

    private final Fixture fx;
    private final DType dtype;
    private final Device device;
    private final ModelConfig config;
    private final ParityReport report = new ParityReport();
    private final double outTol, gradTol;

    private ParityCheck(Fixture fx, DType dtype, Device device) {
        this.fx = fx;
        this.dtype = dtype;
        this.device = device;
        this.config = fx.modelConfig();
        this.outTol = dtype == DType.F64 ? 1e-9 : 1e-4;
        this.gradTol = dtype == DType.F64 ? 1e-9 : 1e-3;
    }

    public static ParityReport run(Path path, DType dtype, Device device, Consumer<String> progress) {
        return run(path, dtype, device, EnumSet.allOf(Section.class), progress);
    }

    public static ParityReport run(Path path, DType dtype, Device device, Set<Section> sections, Consumer<String> progress) {
        try (Fixture fx = new Fixture(path); Scope s = Scope.open()) {
            ParityCheck pc = new ParityCheck(fx, dtype, device);
            for (Section section : sections) {
                progress.accept(switch (section) {
                    case OUTPUTS -> "forward outputs (train mode)";
                    case EDITING -> "editing outputs (eval mode)";
                    case GRADIENTS -> "losses and gradients";
                    case TRAINING -> "two training iterations";
                });
                try (Scope sectionScope = Scope.open()) {
                    switch (section) {
                        case OUTPUTS -> pc.outputs();
                        case EDITING -> pc.editing();
                        case GRADIENTS -> pc.gradients();
                        case TRAINING -> pc.training();
                    }
                }
            }
            return pc.report;
        }
    }

    private <M extends Module> M load(M m, String group) {
        m.loadStateDict(fx.group("params/" + group, dtype, device), fx.path() + " params/" + group);
        return m;
    }

    private Init init() {
        return new Init(dtype, device, new Rng(0));
    }

    private Generator generator() { return load(new Generator(init(), config), "generator"); }
    private Encoder encoder() { return load(new Encoder(init(), config), "encoder"); }
    private Discriminator discriminator() { return load(new Discriminator(init(), config), "discriminator"); }

    private Tensor in(String name) {
        return fx.tensor("inputs/" + name, dtype, device);
    }

    private double[] ref(String name) {
        return fx.values(name);
    }

    private void out(String name, Tensor actual) {
        report.relative("outputs/" + name, actual, ref("outputs/" + name), outTol);
    }

    /** Forward outputs in train mode (batch statistics for BatchNorm), as train.py computes them. */
    private void outputs() {
        Generator g = generator();
        Encoder e = encoder();
        Discriminator d = discriminator();
        try (GradMode off = GradMode.off()) {
            Tensor z = in("z"), real = in("real");
            Tensor sc = g.stylemap(z);
            out("mapping_stylecode", sc);
            List<Tensor> codes = g.decoder().resize(sc);
            for (int t = 0; t < codes.size(); t++) out("decoder_stylecodes/" + t, codes.get(t));
            Tensor generated = g.decoder().synthesize(codes);
            out("generated", generated);
            Tensor enc = e.forward(real);
            out("encoder_stylecode", enc);
            out("reconstruction", g.synthesize(enc));
            out("d_real", d.forward(real));
            out("d_fake", d.forward(generated));
            out("truncation_mean", g.meanStylemap(in("z_mean")));
        }
    }

    /** Local editing and style mixing in eval mode (stored running statistics), as generate.py computes them. */
    private void editing() {
        Generator g = generator();
        Encoder e = encoder();
        g.train(false);
        e.train(false);
        try (GradMode off = GradMode.off()) {
            Tensor enc = e.forward(in("real")), mask = in("mask");
            Tensor a = Views.slice(enc, 0, 0, 1), b = Views.slice(enc, 0, 1, 2);
            out("edit_w", g.editW(a, b, mask));
            out("edit_w_plus", g.editWPlus(a, b, mask));
            out("stylemix_coarse", g.styleMix(a, b, true));
            out("stylemix_fine", g.styleMix(a, b, false));
        }
    }

    private void loss(String name, Tensor value) {
        report.relative("losses/" + name, value.item(), ref("losses/" + name)[0], outTol);
    }

    /**
     * Every parameter gradient of one loss for one module. The error's floor is 1e-6 of the group's
     * largest reference norm (fixture README): a mathematically zero gradient holds only round-off.
     */
    private void grads(String loss, String module, Module m) {
        Map<String, double[]> refs = new LinkedHashMap<>();
        double largest = 0;
        for (String key : m.parameters().keySet()) {
            double[] r = ref("grads/" + loss + "/" + module + "/" + key);
            refs.put(key, r);
            largest = Math.max(largest, ParityReport.norm(r));
        }
        for (Map.Entry<String, Tensor> p : m.parameters().entrySet()) {
            String key = "grads/" + loss + "/" + module + "/" + p.getKey();
            Tensor g = p.getValue().grad() != null ? p.getValue().grad() : Tensor.zeros(dtype, device, p.getValue().shape());
            report.relative(key, g, refs.get(p.getKey()), gradTol, 1e-6 * largest);
        }
        m.zeroGrad();
    }

    private void gradients() {
        Tensor z = in("z"), z2 = in("z2"), real = in("real");
        try (Scope s = Scope.open()) {
            Generator g = generator();
            Encoder e = encoder();
            Discriminator d = discriminator();
            d.setRequiresGrad(false);
            TrainLosses.GeneratorLosses l = TrainLosses.generator(g, e, d, z);
            loss("g_adv", l.adv());
            Autograd.backward(l.adv());
            grads("g_adv", "generator", g);
            loss("w_rec", l.wRec());
            Autograd.backward(l.wRec());
            grads("w_rec", "encoder", e);
        }
        try (Scope s = Scope.open()) {
            Discriminator d = discriminator();
            TrainLosses.DiscriminatorLosses l = TrainLosses.discriminator(generator(), encoder(), d, real, z2);
            Tensor total = Elementwise.add(l.d(), l.inDomain());
            loss("d", total);
            Autograd.backward(total);
            grads("d", "discriminator", d);
        }
        try (Scope s = Scope.open()) {
            Discriminator d = discriminator();
            TrainLosses.R1 r1 = TrainLosses.r1(d, real);
            out("r1_grad_real", r1.gradient());
            loss("r1", r1.penalty());
            Autograd.backward(Elementwise.scale(r1.penalty(), TrainLosses.r1Weight(fx.doubleAttr("r1"), fx.intAttr("d_reg_every"))));
            grads("r1_reg", "discriminator", d);
        }
        try (Scope s = Scope.open()) {
            Generator g = generator();
            Encoder e = encoder();
            Discriminator d = discriminator();
            d.setRequiresGrad(false);
            TrainLosses.ReconstructionLosses l = TrainLosses.reconstruction(g, e, d, real, null);
            Tensor total = Elementwise.add(l.xRec(), l.inDomain());
            loss("e_rec", total);
            Autograd.backward(total);
            grads("e_rec", "encoder", e);
            grads("e_rec", "generator", g);
        }
    }

    private void training() {
        Generator g = generator(), gEma = generator();
        Encoder e = encoder(), eEma = encoder();
        Discriminator d = discriminator();
        double lr = fx.doubleAttr("lr");
        int dRegEvery = fx.intAttr("d_reg_every");
        TrainStep step = new TrainStep(g, e, d, gEma, eEma, Optimizers.official(g, e, d, lr, dRegEvery),
                LossWeights.official(), fx.doubleAttr("r1"), dRegEvery, TrainStep.OFFICIAL_EMA_DECAY, null);
        Tensor real = in("real");
        String[][] noise = {{"z", "z2"}, {"z3", "z4"}};
        for (int i = 0; i < 2; i++) {
            Map<String, Double> losses = step.run(i, real, in(noise[i][0]), in(noise[i][1]));
            for (String k : new String[] {"g_adv", "w_rec", "d", "e_rec"}) {
                String key = "train/iter" + i + "/losses/" + k;
                report.relative(key, losses.get(k), ref(key)[0], outTol);
            }
        }
        Module[] modules = {g, e, d, gEma, eEma};
        String[] names = {"generator", "encoder", "discriminator", "g_ema", "e_ema"};
        for (int m = 0; m < modules.length; m++)
            for (Map.Entry<String, Tensor> p : modules[m].stateDict().entrySet()) {
                String key = "train/after2/" + names[m] + "/" + p.getKey();
                if (dtype == DType.F64) report.relative(key, p.getValue(), ref(key), 1e-9);
                else report.absolute(key, p.getValue(), ref(key), 0.5 * lr);
            }
    }
}
