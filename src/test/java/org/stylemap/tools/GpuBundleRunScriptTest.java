package org.stylemap.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The GPU bundle's run.sh (tools/gpu-bundle/run.sh, docs/GPU.md), in a bundle whose Java is a
 * stand-in script that answers like the real commands: argument errors in one line before any
 * work, each step's status and key lines in the summary, OUTDIR holding exactly summary.txt and
 * logs.tar.gz, the retry on the fused ops' reference twins when a kernel is missing, the steps the
 * emulator mode skips, and a spent budget. The real bundle on the emulator is
 * tools/gpu-bundle/check.sh (too slow for every build: it builds the jlinked runtime).
 */
class GpuBundleRunScriptTest {
    /** Logs its arguments, then answers as the bundle's java would for the command run.sh gives it. */
    private static final String FAKE_JAVA = """
            #!/usr/bin/env bash
            echo "$*" >>"$(dirname "$0")/../../../calls.txt"
            ref=no
            [[ " $* " == *" -Dstylemap.reference=true "* ]] && ref=yes
            while (( $# )) && [[ $1 != org.* ]]; do shift; done
            case "$1 $2" in
              "org.stylemap.cli.Main info") echo "cuda      available: FAKE GPU" ;;
              "org.junit.platform.console.ConsoleLauncher execute")
                echo "[         3 tests successful      ]"; echo "[         0 tests failed          ]" ;;
              "org.stylemap.cli.Main verify-parity")
                if [[ $ref == yes ]]; then echo "410 tensors compared in float32: 410 within tolerance, 0 failed"
                else echo "stylemap verify-parity: cuda: bias_act has no kernel yet (cuda)" >&2; exit 1; fi ;;
              "org.stylemap.cli.Main bench")
                if [[ " $* " == *" size=64 "* ]]; then echo "stylemap bench: out of GPU memory: FAKE" >&2; exit 1; fi
                echo "| FAKE | row |" ;;
              *) echo "fake java: unexpected $*" >&2; exit 3 ;;
            esac
            """;

    @TempDir Path dir;
    Path bundle, out;

    @BeforeEach
    void layOutBundle() throws IOException {
        bundle = dir.resolve("stylemap-gpu");
        Files.createDirectories(bundle.resolve("jre/bin"));
        Files.copy(Path.of("tools/gpu-bundle/run.sh"), bundle.resolve("run.sh"));
        Path java = Files.writeString(bundle.resolve("jre/bin/java"), FAKE_JAVA);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(bundle.resolve("BUNDLE.txt"), "commit test\n");
        Files.writeString(bundle.resolve("cuda-tests.txt"), "org.stylemap.SomeCudaTest\n");
        out = dir.resolve("out");
    }

    /** The machine's python3 as the peer step uses it: logs its arguments, writes the --json file, prints a result line. */
    private static final String FAKE_PYTHON = """
            #!/usr/bin/env bash
            [[ $1 == -c ]] && exit 0  # run.sh asking for site-packages: none
            echo "$*" >>"$(dirname "$0")/../python-calls.txt"
            while (( $# )); do [[ $1 == --json ]] && echo '{"fake": true}' >"$2"; shift; done
            echo "plain iteration 0.5000 s (32.00 img/s); with R1 0.6000 s"
            """;

    record Result(int code, String stdout, String stderr) {}

    private Result run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", bundle.resolve("run.sh").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        // A fake python3 first on PATH (the peer step's); the real tools run.sh needs after it.
        Path bin = Files.createDirectories(dir.resolve("bin"));
        if (Files.notExists(bin.resolve("python3")))
            Files.setPosixFilePermissions(Files.writeString(bin.resolve("python3"), FAKE_PYTHON), PosixFilePermissions.fromString("rwxr-xr-x"));
        pb.environment().put("PATH", bin + ":" + pb.environment().get("PATH"));
        Path stdout = dir.resolve("stdout.txt"), stderr = dir.resolve("stderr.txt");
        pb.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "run.sh finishes");
        return new Result(p.exitValue(), Files.readString(stdout), Files.readString(stderr));
    }

    private List<String> archived() throws Exception {
        Process p = new ProcessBuilder("tar", "-tzf", out.resolve("logs.tar.gz").toString()).redirectErrorStream(true).start();
        String listing = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), listing);
        return listing.lines().toList();
    }

    @Test
    void stepsReportTheirStatusAndKeyLinesAndOutdirHoldsTwoFiles() throws Exception {
        Result r = run("--steps", "info,tests,parity-f32,kernels,train-64,peer", out.toString());
        assertEquals(1, r.code, "one step failed: " + r.stdout + r.stderr);
        String summary = Files.readString(out.resolve("summary.txt"));
        assertTrue(r.stdout.endsWith(summary), "the summary is printed last: " + r.stdout);
        for (String expected : List.of("device: cuda;", "== info: ok", "FAKE GPU", "== tests: ok", "3 tests successful",
                "== parity-f32: ok (on the fused ops' reference twins: bias_act has no kernel yet)", "410 tensors compared",
                "== kernels: ok", "| FAKE | row |", "== train-64: FAILED (exit 1)", "out of GPU memory: FAKE",
                "== peer: skipped: no official StyleMapGAN checkout given", "1 step(s) failed"))
            assertTrue(summary.contains(expected), "'" + expected + "' in:\n" + summary);
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of("logs.tar.gz", "summary.txt"), files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        assertTrue(archived().containsAll(List.of("logs/01-info.log", "logs/02-tests.log", "logs/03-parity-f32-no-kernel.log",
                "logs/03-parity-f32.log", "logs/04-kernels.log", "logs/05-train-64.log", "summary.txt")), archived().toString());
        List<String> calls = Files.readAllLines(dir.resolve("calls.txt"));
        assertEquals(6, calls.size(), "info, tests, parity twice, kernels, train-64: " + calls);
        for (String call : calls)
            assertTrue(call.contains("--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED")
                    && call.contains("-Djava.library.path=" + bundle.resolve("native"))
                    && call.contains("-Dstylemap.home=" + bundle), call);
        assertTrue(calls.get(1).contains("--select-class=org.stylemap.SomeCudaTest"), calls.get(1));
        assertTrue(calls.get(4).contains("bench --suite kernels --device cuda"), calls.get(4));
    }

    @Test
    void emulatorModeUsesCudaEmuAndSkipsWhatNeedsAGpu() throws Exception {
        Path official = Files.createDirectories(dir.resolve("official/training"));
        Files.writeString(official.resolve("model.py"), "");
        Result r = run("--emu", "--steps", "train-64,train-256,memory-256,peer", out.toString(), official.getParent().toString());
        assertEquals(0, r.code, r.stdout + r.stderr);
        String summary = Files.readString(out.resolve("summary.txt"));
        for (String expected : List.of("device: cuda-emu;", "== train-64: ok", "== train-256: skipped: emulator mode",
                "== memory-256: skipped: emulator mode", "== peer: skipped: emulator mode", "0 step(s) failed"))
            assertTrue(summary.contains(expected), "'" + expected + "' in:\n" + summary);
        List<String> calls = Files.readAllLines(dir.resolve("calls.txt"));
        assertEquals(1, calls.size(), calls.toString());
        assertTrue(calls.get(0).contains("bench --suite train --device cuda-emu --set batch=2 --iterations 1"), calls.get(0));
    }

    @Test
    void thePeerStepRunsTheOfficialStepTimeScriptOfTheBundleOnTheGivenCheckout() throws Exception {
        Path official = Files.createDirectories(dir.resolve("official/training"));
        Files.writeString(official.resolve("model.py"), "");
        Files.writeString(Files.createDirectories(bundle.resolve("tools/peer")).resolve("official_step_time.py"), "");
        Result r = run("--steps", "peer", out.toString(), official.getParent().toString());
        assertEquals(0, r.code, r.stdout + r.stderr);
        String summary = Files.readString(out.resolve("summary.txt"));
        assertTrue(summary.contains("== peer: ok") && summary.contains("plain iteration 0.5000 s (32.00 img/s)"), summary);
        assertEquals(List.of(bundle.resolve("tools/peer/official_step_time.py") + " --official " + official.getParent()
                + " --json "), Files.readAllLines(dir.resolve("python-calls.txt")).stream().map(l -> l.replaceFirst("--json .*", "--json ")).toList());
        assertTrue(archived().contains("logs/official_step_time.json"), archived().toString());
        Files.delete(bundle.resolve("tools/peer/official_step_time.py"));
        Files.walk(out).sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        r = run("--steps", "peer", out.toString(), official.getParent().toString());
        assertTrue(Files.readString(out.resolve("summary.txt")).contains(
                "== peer: skipped: tools/peer/official_step_time.py was not in the tree the bundle was built from"), r.stdout);
    }

    @Test
    void aSpentBudgetIsReportedNotPassed() throws Exception {
        Result r = run("--budget", "10", "--steps", "info", out.toString());
        assertEquals(1, r.code, r.stdout + r.stderr);
        assertTrue(Files.readString(out.resolve("summary.txt")).contains("== info: not run: the budget of 10 s is spent"));
        assertTrue(Files.notExists(dir.resolve("calls.txt")), "nothing ran");
    }

    static Stream<Arguments> badArguments() {
        return Stream.of(
                Arguments.of(List.of(), "usage: run.sh"),
                Arguments.of(List.of("a", "b", "c"), "usage: run.sh"),
                Arguments.of(List.of("--fast", "OUT"), "unknown option '--fast'"),
                Arguments.of(List.of("--steps", "info,bogus", "OUT"), "--steps: unknown step 'bogus' (available: info tests"),
                Arguments.of(List.of("--steps"), "--steps needs a comma-separated list"),
                Arguments.of(List.of("--budget", "abc", "OUT"), "--budget must be an integer >= 10 (seconds), got 'abc'"),
                Arguments.of(List.of("--budget", "5", "OUT"), "--budget must be an integer >= 10"),
                Arguments.of(List.of("OUT", "NOT_OFFICIAL"), "is not an official StyleMapGAN checkout (no training/model.py there)"));
    }

    @ParameterizedTest
    @MethodSource("badArguments")
    void badArgumentsGetOneLineAndExit2BeforeAnyWork(List<String> args, String message) throws Exception {
        Result r = run(args.stream().map(a -> a.equals("OUT") ? out.toString() : a.equals("NOT_OFFICIAL") ? dir.toString() : a)
                .toArray(String[]::new));
        assertEquals(2, r.code, r.stderr);
        assertTrue(r.stderr.startsWith("run.sh: ") && r.stderr.contains(message) && r.stderr.strip().lines().count() == 1, r.stderr);
        assertTrue(Files.notExists(out), "no OUTDIR made");
        assertTrue(Files.notExists(dir.resolve("calls.txt")), "nothing ran");
    }

    @Test
    void aNonEmptyOutdirIsRefusedAndLeftAlone() throws Exception {
        Path kept = Files.writeString(Files.createDirectories(out).resolve("earlier.txt"), "earlier results");
        Result r = run(out.toString());
        assertEquals(2, r.code, r.stderr);
        assertTrue(r.stderr.contains("is not empty (choose an empty or new folder; nothing is overwritten)"), r.stderr);
        assertEquals("earlier results", Files.readString(kept));
        Files.delete(kept);
        Files.delete(out);
        Files.writeString(out, "a file");
        r = run(out.toString());
        assertEquals(2, r.code, r.stderr);
        assertTrue(r.stderr.contains("exists and is not a folder"), r.stderr);
    }

    @Test
    void outsideABundleItSaysSo() throws Exception {
        Files.delete(bundle.resolve("jre/bin/java"));
        Result r = run(out.toString());
        assertEquals(2, r.code, r.stderr);
        assertTrue(r.stderr.contains("no Java runtime at") && r.stderr.contains("tools/gpu-bundle/build.sh"), r.stderr);
        assertTrue(Files.notExists(out), "no OUTDIR made");
    }
}
