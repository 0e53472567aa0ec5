package org.stylemap.cli;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.stylemap.backend.Backends;
import org.stylemap.tensor.Device;

/** Typed option values with one-line errors. */
final class Args {
    private Args() {}

    static int intValue(CommandLine cl, String opt, int fallback) {
        String v = cl.getOptionValue(opt);
        if (v == null) return fallback;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + opt + " needs an integer, got '" + v + "'");
        }
    }

    static double doubleValue(CommandLine cl, String opt, double fallback) {
        String v = cl.getOptionValue(opt);
        if (v == null) return fallback;
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + opt + " needs a number, got '" + v + "'");
        }
    }

    /** The --device option every command that computes takes. */
    static Option deviceOption(String fallback) {
        return Option.builder().longOpt("device").hasArg().argName("cpu|cuda|cuda-emu")
                .desc("where to compute: cpu, cuda, cuda:N, or cuda-emu (the CUDA kernels on the host emulator); default " + fallback).get();
    }

    /** The device named by --device (or fallback), checked to be usable before any work starts. */
    static Device device(CommandLine cl, String fallback) {
        Device d;
        try {
            d = Device.parse(cl.getOptionValue("device", fallback));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--device: " + e.getMessage());
        }
        Backends.get(d);
        return d;
    }
}
