package org.stylemap.backend.cuda.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Named;

/**
 * The runtimes the kernel tests run on, over the test kernels (kernels/test/*.cu) or, with
 * {@link Kind#open(KernelBundle)}, the product's ({@link KernelBundle#MAIN}): the emulator, which
 * must be available wherever the build ran, and the GPU, which is reported as aborted with the
 * reason ("unavailable: no CUDA driver ...") where there is none, never counted as passing.
 */
public final class TestRuntimes {
    static final KernelBundle BUNDLE = new KernelBundle("kernels-test");

    public enum Kind {
        EMULATOR, DRIVER;

        KernelRuntime open() {
            return open(BUNDLE);
        }

        /** This kind's runtime over bundle's kernels. */
        public KernelRuntime open(KernelBundle bundle) {
            if (this == EMULATOR) {
                Availability a = KernelRuntimes.emulatorAvailability(bundle);
                assertTrue(a.available(), "the CUDA emulator must be available after a build: " + a.line());
                return KernelRuntimes.emulator(bundle);
            }
            Availability a = KernelRuntimes.driverAvailability(bundle);
            assumeTrue(a.available(), "cuda " + a.line());
            return KernelRuntimes.driver(bundle);
        }
    }

    private TestRuntimes() {}

    /** Arguments for @MethodSource: both runtimes, named as the CLI names the devices. */
    public static Stream<Named<Kind>> all() {
        return Stream.of(Named.of("cuda-emu", Kind.EMULATOR), Named.of("cuda", Kind.DRIVER));
    }

    static EmulatorRuntime emulator() {
        return (EmulatorRuntime) Kind.EMULATOR.open();
    }
}
