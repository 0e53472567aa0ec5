package org.stylemap.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stylemap.io.Range;
import org.stylemap.edit.Direction;
import org.stylemap.edit.EditModel;
import org.stylemap.edit.web.EditorServer;

/** `stylemap serve`: the interactive editor in the browser, on this machine only by default. */
final class ServeCommand extends Command {
    @Override String name() { return "serve"; }

    @Override String summary() { return "interactive editor in the browser (local web server)"; }

    @Override
    Options options() {
        Options o = new Options();
        EditArgs.addModel(o);
        o.addOption(Option.builder().longOpt("port").hasArg().argName("N").desc("port (default 8080; 0 = any free port)").get());
        o.addOption(Option.builder().longOpt("host").hasArg().argName("ADDR").desc("address to listen on (default 127.0.0.1: this machine only)").get());
        o.addOption(Option.builder().longOpt("out").hasArg().argName("DIR").desc("where `save` writes edit-NNNN.png (default editor-out)").get());
        o.addOption(Option.builder().longOpt("gallery").hasArg().argName("DIR").desc("a folder of photos the page offers to pick").get());
        o.addOption(Option.builder().longOpt("direction").hasArg().argName("FILE").desc("a saved direction for the page's slider").get());
        o.addOption(Option.builder().longOpt("max-upload-mb").hasArg().argName("MB").desc("largest upload accepted (default 10)").get());
        return o;
    }

    @Override
    int execute(CommandLine cl, PrintStream out, PrintStream err) throws InterruptedException {
        // Inputs and outputs, resolved before any work.
        EditArgs.require(cl, "ckpt");
        int port = Args.intValue(cl, "port", 8080);
        if (port < 0 || port > 65535) throw new UsageException("--port must be in 0..65535, got " + port);
        String host = cl.getOptionValue("host", "127.0.0.1");
        Path outDir = Path.of(cl.getOptionValue("out", "editor-out"));
        double mb = Args.doubleValue(cl, "max-upload-mb", 10, Range.positive());
        EditorServer.Limits defaults = EditorServer.Limits.defaults();
        EditorServer.Limits limits = new EditorServer.Limits((long) (mb * 1e6), defaults.maxPixels(), defaults.maxPhotos());

        EditModel m = EditArgs.model(cl, err);
        Direction d = cl.hasOption("direction") ? Direction.load(Path.of(cl.getOptionValue("direction")), m) : null;
        Path gallery = cl.hasOption("gallery") ? Path.of(cl.getOptionValue("gallery")) : null;
        EditorServer server = EditorServer.start(m, d, gallery, outDir, host, port, limits, err);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        out.println("editor at " + server.uri() + " (Ctrl-C stops it; saved edits go to " + outDir.toAbsolutePath() + ")");
        stopped.await();
        return 0;
    }
}
