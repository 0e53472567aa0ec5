package org.stylemap.cli;

import org.apache.commons.cli.CommandLine;

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
}
