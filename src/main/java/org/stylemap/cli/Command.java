package org.stylemap.cli;

import java.io.PrintStream;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.MissingOptionException;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/** A subcommand: its options, and what it does with them. */
abstract class Command {
    abstract String name();

    abstract String summary();

    /** The command's options (without --help, which every command gets); required ones are marked required(). */
    abstract Options options();

    /** Operands after the options, for the usage line (e.g. "FIXTURE.h5"); none by default. */
    String operands() {
        return "";
    }

    /** The --overwrite option of commands that write a file: replace an existing file of another kind. */
    static Option overwriteOption() {
        return Option.builder().longOpt("overwrite").desc("replace an existing output file even if it is not of this command's kind").get();
    }

    abstract int execute(CommandLine cl, PrintStream out, PrintStream err) throws Exception;

    final int run(String[] args, PrintStream out, PrintStream err) {
        Options opts = options();
        opts.addOption("h", "help", false, "show this help");
        CommandLine cl;
        try {
            // No prefix matching: a typo such as --iteration must not silently mean --iterations.
            cl = DefaultParser.builder().setAllowPartialMatching(false).get().parse(opts, args);
        } catch (MissingOptionException e) {
            if (List.of(args).contains("--help") || List.of(args).contains("-h")) return help(opts, out);
            List<String> missing = ((List<?>) e.getMissingOptions()).stream().map(o -> "--" + o).toList();
            throw new UsageException(String.join(", ", missing) + (missing.size() == 1 ? " is" : " are") + " required");
        } catch (ParseException e) {
            throw new UsageException(e.getMessage());
        }
        if (cl.hasOption("help")) return help(opts, out);
        try {
            return execute(cl, out, err);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage() != null ? e.getMessage() : e.toString(), e);
        }
    }

    private int help(Options opts, PrintStream out) {
        java.io.PrintWriter pw = new java.io.PrintWriter(out, true);
        String syntax = "stylemap " + name() + (operands().isEmpty() ? "" : " " + operands());
        new HelpFormatter().printHelp(pw, 100, syntax, summary(), opts, 2, 2, "", true);
        pw.flush();
        return 0;
    }
}
