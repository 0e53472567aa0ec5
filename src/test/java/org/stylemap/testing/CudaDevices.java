package org.stylemap.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.stylemap.backend.Backends;
import org.stylemap.backend.cuda.CudaBackend;
import org.stylemap.backend.cuda.runtime.EmulatorRuntime;
import org.stylemap.backend.cuda.runtime.Availability;
import org.stylemap.tensor.Device;

/**
 * The CUDA devices the device tests run on: cuda-emu (the kernels on the host emulator), which
 * must be available wherever the build ran, and cuda (the GPU), reported as aborted with the
 * reason ("unavailable: no CUDA driver ...") where there is none, never counted as passing.
 * <pre>
 * &#64;ParameterizedTest(name = "{0}")
 * &#64;MethodSource("org.stylemap.testing.CudaDevices#all")
 * void something(Device device) {
 *     CudaDevices.require(device);
 *     ...
 * }
 * </pre>
 */
public final class CudaDevices {
    private CudaDevices() {}

    /** Arguments for @MethodSource: both devices, named as the CLI names them. */
    public static Stream<Named<Device>> all() {
        return Stream.of(Named.of("cuda-emu", Device.CUDA_EMU), Named.of("cuda", Device.cuda(0)));
    }

    /** Strict mode while open (see {@link #strict}); closing switches it off again. */
    public interface Strict extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * On the emulator, strict mode until closed: a launch whose block's threads pass different
     * numbers of barriers fails. On the GPU nothing (it has no such mode).
     */
    public static Strict strict(Device device) {
        if (!(Backends.get(device) instanceof CudaBackend b) || !(b.runtime() instanceof EmulatorRuntime emulator)) return () -> {};
        emulator.setStrict(true);
        return () -> emulator.setStrict(false);
    }

    /** Fails for an unavailable emulator, aborts (skips, with the reason) for an unavailable GPU. */
    public static Device require(Device device) {
        Availability a = Backends.availability(device);
        if (device.kind() == Device.Kind.CUDA_EMU) assertTrue(a.available(), "the CUDA emulator must be available after a build: " + a.line());
        else assumeTrue(a.available(), device + " " + a.line());
        return device;
    }
}
