package org.stylemap.cli;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylemap.data.BuiltinDataset;

/**
 * Issue 7, items 5 and 6: the ./stylemap launcher with stderr redirected to a file, stopped by a
 * SIGINT to its whole process group as a terminal's Ctrl-C sends it. Progress reaches the file
 * while the run goes on, the run's last line ("interrupted at iteration N; saved ...") reaches it
 * too, the JVM's incubator warning does not, and the exit code is 130.
 *
 * The launcher runs from a copy of the project laid out as it expects (the script, target/stylemap.jar
 * made from the compiled classes, target/lib/ with this test's class path), so the test needs no
 * packaged build.
 */
class LauncherTest {
    @TempDir Path root;

    @Test
    void ctrlCWithRedirectedStderrKeepsEveryLineAndExits130() throws Exception {
        assumeTrue(new File("/usr/bin/setsid").canExecute() || new File("/bin/setsid").canExecute(), "needs setsid (util-linux)");
        layOutProject();
        Path data = root.resolve("b16.h5"), config = root.resolve("t.properties"), out = root.resolve("run");
        BuiltinDataset.write(data, 16);
        Files.writeString(config, String.join("\n", "size = 16", "latent_spatial_size = 4", "latent_channel_size = 8", "mapping_layer_num = 2",
                "channel_max = 8", "batch = 2", "d_reg_every = 2", "log_interval = 1", "sample_interval = 1000", "val_interval = 1000",
                "save_network_interval = 1000", "iter = 1000000", "dataset = " + data) + "\n");
        Path stderr = root.resolve("stderr.log");
        ProcessBuilder pb = new ProcessBuilder("setsid", root.resolve("stylemap").toString(), "train", "--config", config.toString(),
                "--out", out.toString());
        pb.environment().put("STYLEMAP_JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("STYLEMAP_HEAP", "1g");
        pb.redirectError(stderr.toFile()).redirectOutput(root.resolve("stdout.log").toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = pb.start(); // setsid makes the launcher (exec'd into the JVM) the leader of a new process group
        try {
            // metrics.csv is written by the JVM directly: when the first progress line reaches the file, the run
            // must still be near its start (a block-buffered filter passes on 4 KB at a time, about 16 lines).
            Path metrics = out.resolve("metrics.csv");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            int rowsWhenSeen = -1;
            while (p.isAlive() && System.nanoTime() < deadline) {
                int rows = Files.exists(metrics) ? Files.readAllLines(metrics).size() - 1 : 0;
                if (Files.readString(stderr).contains("[train] it 1/")) {
                    rowsWhenSeen = rows;
                    break;
                }
                Thread.sleep(20);
            }
            assertTrue(rowsWhenSeen >= 0 && rowsWhenSeen < 8, "the first progress line reached the file after " + rowsWhenSeen
                    + " logged iterations: " + Files.readString(stderr));
            new ProcessBuilder("bash", "-c", "kill -INT -- -" + p.pid()).inheritIO().start().waitFor();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the run stops after Ctrl-C");
            assertEquals(TrainCommand.INTERRUPTED, p.exitValue(), "exit code of an interrupted run: " + Files.readString(stderr));
            // The filter ends just after the JVM: give it a moment to pass the last line on.
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Files.readString(stderr).contains("[train] interrupted at iteration") && System.nanoTime() < deadline) Thread.sleep(50);
            String log = Files.readString(stderr);
            assertTrue(log.contains("[train] interrupted at iteration") && log.contains("resume with --resume " + out.resolve("latest.h5")), log);
            assertFalse(log.contains("WARNING: Using incubator modules"), log);
            assertTrue(Files.exists(out.resolve("latest.h5")));
        } finally {
            p.destroyForcibly();
        }
    }

    /** The script, target/stylemap.jar (this build's main classes) and target/lib/ (the test's class path jars). */
    private void layOutProject() throws IOException {
        Path script = root.resolve("stylemap");
        Files.copy(Path.of("stylemap"), script);
        script.toFile().setExecutable(true);
        Path target = Files.createDirectories(root.resolve("target")), lib = Files.createDirectories(target.resolve("lib"));
        Path classes = Path.of("target", "classes");
        try (OutputStream os = Files.newOutputStream(target.resolve("stylemap.jar")); JarOutputStream jar = new JarOutputStream(os);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                jar.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, jar);
                jar.closeEntry();
            }
        }
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String entry : List.of(cp.split(File.pathSeparator)))
            if (entry.endsWith(".jar") && Files.isRegularFile(Path.of(entry)))
                Files.createSymbolicLink(lib.resolve(Path.of(entry).getFileName()), Path.of(entry).toAbsolutePath());
    }
}
