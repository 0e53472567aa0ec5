package org.stylemap.cli;

import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/** A subcommand: its options, and what it does with them. */
abstract class Command {
    abstract String name();

    abstract String summary();

    /** The command's options (without --help, which every command gets). */
    abstract Options options();

    abstract int execute(CommandLine cl, PrintStream out, PrintStream err) throws Exception;

    final int run(String[] args, PrintStream out, PrintStream err) {
        Options opts = options();
        opts.addOption("h", "help", false, "show this help");
        CommandLine cl;
        try {
            cl = new DefaultParser().parse(opts, args);
        } catch (ParseException e) {
            throw new UsageException(e.getMessage());
        }
        if (cl.hasOption("help")) {
            java.io.PrintWriter pw = new java.io.PrintWriter(out, true);
            new HelpFormatter().printHelp(pw, 100, "stylemap " + name(), summary(), opts, 2, 2, "", true);
            pw.flush();
            return 0;
        }
        try {
            return execute(cl, out, err);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage() != null ? e.getMessage() : e.toString(), e);
        }
    }
}
