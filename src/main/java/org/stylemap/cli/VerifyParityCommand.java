package org.stylemap.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stylemap.parity.ParityCheck;
import org.stylemap.parity.ParityReport;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;

/** `stylemap verify-parity FILE.h5 [--dtype f64|f32]`: reproduce a reference fixture tensor by tensor. */
final class VerifyParityCommand extends Command {
    @Override String name() { return "verify-parity"; }

    @Override String summary() { return "recompute a fixture of the official code and print every tensor's error"; }

    @Override String operands() { return "FIXTURE.h5"; }

    @Override
    Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("dtype").hasArg().argName("f64|f32").desc("precision (default f64)").get());
        o.addOption(Args.deviceOption("cpu"));
        o.addOption(Option.builder().longOpt("all").desc("print every tensor, not only the failures").get());
        return o;
    }

    @Override
    int execute(CommandLine cl, PrintStream out, PrintStream err) {
        if (cl.getArgList().size() != 1) throw new UsageException("needs exactly one fixture file");
        Path file = Path.of(cl.getArgList().get(0));
        DType dtype = DType.parse(cl.getOptionValue("dtype", "f64"));
        Device device = Args.device(cl, "cpu");
        long t0 = System.nanoTime();
        ParityReport r = ParityCheck.run(file, dtype, device, stage -> err.println("[verify-parity] " + stage + "..."));
        r.print(out, cl.hasOption("all"));
        int failed = r.failures().size();
        out.printf("%d tensors compared in %s on %s: %d within tolerance, %d failed; worst errors: outputs %.2e, losses %.2e, grads %.2e, train %.2e (%.1f s)%n",
                r.rows().size(), dtype.label, device, r.rows().size() - failed, failed, r.worst("outputs/"), r.worst("losses/"),
                r.worst("grads/"), r.worst("train/"), (System.nanoTime() - t0) / 1e9);
        return failed == 0 ? 0 : 1;
    }
}
