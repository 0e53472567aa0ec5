package org.stylemap.parity;

import org.stylemap.random.Rng;
import java.nio.file.Path;
import java.util.List;
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
import org.stylemap.ops.Losses;
import org.stylemap.ops.Reductions;
import org.stylemap.ops.Views;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;
import org.stylemap.train.LossWeights;
import org.stylemap.train.Optimizers;
import org.stylemap.train.TrainStep;

/**
 * Recomputes every tensor of a reference fixture from its configuration, parameters and inputs:
 * forward outputs, editing outputs, losses, first- and second-order gradients, and two full
 * training iterations. Tolerances (shared/fixtures/README.md): float64 everything 1e-9 relative;
 * float32 outputs and losses 1e-4, gradients 1e-3, trained parameters every element within 0.5 lr.
 */
public final class ParityCheck {
    private final Fixture fx;
    private final DType dtype;
    private final ModelConfig config;
    private final ParityReport report = new ParityReport();
    private final double outTol, gradTol;

    private ParityCheck(Fixture fx, DType dtype) {
        this.fx = fx;
        this.dtype = dtype;
        this.config = fx.modelConfig();
        this.outTol = dtype == DType.F64 ? 1e-9 : 1e-4;
        this.gradTol = dtype == DType.F64 ? 1e-9 : 1e-3;
    }

    public static ParityReport run(Path path, DType dtype, Consumer<String> progress) {
        try (Fixture fx = new Fixture(path); Scope s = Scope.open()) {
            ParityCheck pc = new ParityCheck(fx, dtype);
            progress.accept("forward outputs");
            pc.outputs();
            progress.accept("losses and gradients");
            pc.gradients();
            progress.accept("two training iterations");
            pc.training();
            return pc.report;
        }
    }

    private <M extends Module> M load(M m, String group) {
        m.loadStateDict(fx.group("params/" + group, dtype), fx.path() + " params/" + group);
        return m;
    }

    private Init init() {
        return new Init(dtype, Device.CPU, new Rng(0));
    }

    private Generator generator() { return load(new Generator(init(), config), "generator"); }
    private Encoder encoder() { return load(new Encoder(init(), config), "encoder"); }
    private Discriminator discriminator() { return load(new Discriminator(init(), config), "discriminator"); }

    private Tensor in(String name) {
        return fx.tensor("inputs/" + name, dtype);
    }

    private void out(String name, Tensor actual) {
        report.relative("outputs/" + name, actual, fx.tensor("outputs/" + name, DType.F64), outTol);
    }

    private void outputs() {
        Generator g = generator();
        Encoder e = encoder();
        Discriminator d = discriminator();
        try (GradMode off = GradMode.off(); Scope s = Scope.open()) {
            Tensor z = in("z"), real = in("real"), mask = in("mask");
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
            Tensor a = Views.slice(enc, 0, 0, 1), b = Views.slice(enc, 0, 1, 2);
            out("edit_w", g.editW(a, b, mask));
            out("edit_w_plus", g.editWPlus(a, b, mask));
            out("stylemix_coarse", g.styleMix(a, b, true));
            out("stylemix_fine", g.styleMix(a, b, false));
            out("truncation_mean", g.meanStylemap(in("z_mean")));
        }
    }

    private void loss(String name, Tensor value) {
        report.relative("losses/" + name, value.item(), fx.tensor("losses/" + name, DType.F64).item(), outTol);
    }

    private void grads(String loss, String module, Module m) {
        for (Map.Entry<String, Tensor> p : m.parameters().entrySet()) {
            String key = "grads/" + loss + "/" + module + "/" + p.getKey();
            Tensor g = p.getValue().grad() != null ? p.getValue().grad() : Tensor.zeros(dtype, Device.CPU, p.getValue().shape());
            report.relative(key, g, fx.tensor(key, DType.F64), gradTol);
        }
        m.zeroGrad();
    }

    private void gradients() {
        Generator g = generator();
        Encoder e = encoder();
        Discriminator d = discriminator();
        Tensor z = in("z"), z2 = in("z2"), real = in("real");
        try (Scope s = Scope.open()) {
            d.setRequiresGrad(false);
            Tensor sc = g.stylemap(z);
            Tensor fake = g.synthesize(sc);
            Tensor adv = Losses.meanSoftplus(d.forward(fake), -1);
            loss("g_adv", adv);
            Autograd.backward(adv);
            grads("g_adv", "generator", g);
            Tensor wRec = Losses.mse(e.forward(fake.detach()), sc.detach());
            loss("w_rec", wRec);
            Autograd.backward(wRec);
            grads("w_rec", "encoder", e);
        }
        try (Scope s = Scope.open()) {
            d.setRequiresGrad(true);
            Tensor fake2, rec;
            try (GradMode off = GradMode.off()) {
                fake2 = g.synthesize(g.stylemap(z2));
                rec = g.synthesize(e.forward(real));
            }
            Tensor dl = Elementwise.add(Elementwise.add(Losses.meanSoftplus(d.forward(real), -1), Losses.meanSoftplus(d.forward(fake2), 1)),
                    Losses.meanSoftplus(d.forward(rec), 1));
            loss("d", dl);
            Autograd.backward(dl);
            grads("d", "discriminator", d);
        }
        try (Scope s = Scope.open()) {
            Tensor x = real.detach().requiresGrad(true);
            Tensor gradReal = Autograd.grad(new Tensor[] {Reductions.sum(d.forward(x), null, false)}, new Tensor[] {x}, true)[0];
            out("r1_grad_real", gradReal);
            Tensor r1 = Reductions.mean(Reductions.sum(Elementwise.mul(gradReal, gradReal), new int[] {1, 2, 3}, false), null, false);
            loss("r1", r1);
            Autograd.backward(Elementwise.scale(r1, fx.doubleAttr("r1") / 2 * fx.intAttr("d_reg_every")));
            grads("r1_reg", "discriminator", d);
        }
        try (Scope s = Scope.open()) {
            d.setRequiresGrad(false);
            Tensor rec = g.synthesize(e.forward(real));
            Tensor el = Elementwise.add(Losses.mse(rec, real), Losses.meanSoftplus(d.forward(rec), -1));
            loss("e_rec", el);
            Autograd.backward(el);
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
                report.relative(key, losses.get(k), fx.tensor(key, DType.F64).item(), outTol);
            }
        }
        Module[] modules = {g, e, d, gEma, eEma};
        String[] names = {"generator", "encoder", "discriminator", "g_ema", "e_ema"};
        for (int m = 0; m < modules.length; m++)
            for (Map.Entry<String, Tensor> p : modules[m].stateDict().entrySet()) {
                String key = "train/after2/" + names[m] + "/" + p.getKey();
                Tensor ref = fx.tensor(key, DType.F64);
                if (dtype == DType.F64) report.relative(key, p.getValue(), ref, 1e-9);
                else report.absolute(key, p.getValue(), ref, 0.5 * lr);
            }
    }
}
