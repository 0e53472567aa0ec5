package org.stylemap.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one command-line program: `stylemap <subcommand> [options]`. Subcommands parse their own
 * options (Apache Commons CLI) and call into the library; errors become one line and exit 1.
 */
public final class Main {
    private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static {
        register(new InfoCommand());
        register(new BenchCommand());
        register(new PrepareCommand());
        register(new TrainCommand());
        register(new GenerateCommand());
        register(new EditCommand());
        register(new VerifyParityCommand());
        register(new EvalCommand());
        register(new EncodeCommand());
        register(new ReconstructCommand());
        register(new TransplantCommand());
        register(new MixCommand());
        register(new InterpolateCommand());
        register(new ProjectCommand());
        register(new AdaptCommand());
        register(new DirectionCommand());
        register(new ServeCommand());
    }

    private static void register(Command c) {
        COMMANDS.put(c.name(), c);
    }

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command line and returns the exit code (0 ok, 1 failure, 2 usage error). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            usage(out);
            return args.length == 0 ? 2 : 0;
        }
        Command c = COMMANDS.get(args[0]);
        if (c == null) {
            err.println("stylemap: unknown command '" + args[0] + "' (see stylemap --help)");
            return 2;
        }
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        try {
            return c.run(rest, out, err);
        } catch (UsageException e) {
            err.println("stylemap " + c.name() + ": " + e.getMessage() + " (see stylemap " + c.name() + " --help)");
            return 2;
        } catch (OutOfMemoryError e) {
            // The backends' own messages say what did not fit and what to change; the JVM's say only "Java heap space".
            String m = e.getMessage() != null && e.getMessage().startsWith("out of ") ? e.getMessage()
                    : "out of memory: " + e.getMessage() + " (try a smaller batch, or more Java heap with STYLEMAP_HEAP)";
            err.println("stylemap " + c.name() + ": " + m);
            return 1;
        } catch (RuntimeException e) {
            err.println("stylemap " + c.name() + ": " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            if (Boolean.getBoolean("stylemap.debug")) e.printStackTrace(err);
            return 1;
        }
    }

    private static void usage(PrintStream out) {
        out.println("usage: stylemap <command> [options]    (stylemap <command> --help for its options)");
        out.println();
        for (Command c : COMMANDS.values()) out.printf("  %-14s %s%n", c.name(), c.summary());
    }
}
