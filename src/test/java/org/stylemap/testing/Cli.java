package org.stylemap.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.stylemap.cli.Main;

/** Runs a command line in this JVM, as `./stylemap ARGS` would, capturing both streams. */
public final class Cli {
    private Cli() {}

    public record Result(int code, String out, String err) {}

    public static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true), new PrintStream(err, true));
        return new Result(code, out.toString(), err.toString());
    }
}
