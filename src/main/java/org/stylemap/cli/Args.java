package org.stylemap.cli;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.stylemap.backend.Backends;
import org.stylemap.io.Range;
import org.stylemap.tensor.Device;

/** Typed option values with one-line errors: a value that is not a number, or outside its range, names the option. */
final class Args {
    private Args() {}

    private static final Range INT = Range.integers(Integer.MIN_VALUE, Integer.MAX_VALUE);

    static int intValue(CommandLine cl, String opt, int fallback) {
        return intValue(cl, opt, fallback, INT);
    }

    static int intValue(CommandLine cl, String opt, int fallback, Range range) {
        long n = longValue(cl, opt, fallback, range);
        check(opt, n, INT);
        return (int) n;
    }

    static long longValue(CommandLine cl, String opt, long fallback, Range range) {
        String v = cl.getOptionValue(opt);
        if (v == null) return fallback;
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + opt + " needs an integer, got '" + v + "'");
        }
        check(opt, n, range);
        return n;
    }

    static double doubleValue(CommandLine cl, String opt, double fallback, Range range) {
        String v = cl.getOptionValue(opt);
        if (v == null) return fallback;
        double x;
        try {
            x = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + opt + " needs a number, got '" + v + "'");
        }
        check(opt, x, range);
        return x;
    }

    private static void check(String opt, double v, Range range) {
        try {
            range.check("--" + opt, v);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
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
