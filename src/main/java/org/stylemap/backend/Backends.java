package org.stylemap.backend;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.stylemap.backend.cpu.CpuBackend;
import org.stylemap.backend.cuda.CudaBackend;
import org.stylemap.backend.cuda.runtime.Availability;
import org.stylemap.backend.cuda.runtime.KernelBundle;
import org.stylemap.backend.cuda.runtime.KernelRuntime;
import org.stylemap.backend.cuda.runtime.KernelRuntimes;
import org.stylemap.tensor.Device;

/**
 * The registry of backends by device: where a device named on the command line becomes a backend.
 * CUDA backends open on first use, one per device: {@code cuda:0} on the GPU's driver runtime,
 * {@code cuda-emu} on the host emulator, both with the product's kernels (kernels/*.cu). Whether a
 * device can be used is decided in one place ({@link #availability}), which both {@link #get}
 * and `stylemap info` ({@link #describeAll}) report.
 */
public final class Backends {
    private static final CpuBackend CPU = new CpuBackend();
    private static final Map<Device, CudaBackend> CUDA = new ConcurrentHashMap<>();

    private Backends() {}

    public static Backend cpu() {
        return CPU;
    }

    /** The backend of a device, or an IllegalArgumentException saying in one line why it cannot be used. */
    public static Backend get(Device device) {
        if (device.kind() == Device.Kind.CPU) return CPU;
        CudaBackend open = CUDA.get(device);
        return open != null ? open : open(device);
    }

    private static synchronized CudaBackend open(Device device) {
        CudaBackend open = CUDA.get(device);
        if (open != null) return open;
        Availability a = availability(device);
        if (!a.available()) throw new IllegalArgumentException("device " + device + " is " + a.line());
        KernelRuntime runtime = device.kind() == Device.Kind.CUDA_EMU ? KernelRuntimes.emulator(KernelBundle.MAIN)
                : KernelRuntimes.driver(KernelBundle.MAIN);
        CudaBackend b = new CudaBackend(device, runtime);
        CUDA.put(device, b);
        return b;
    }

    /** Whether a CUDA device can be used here, as one line ("available: ..." or "unavailable: why"). */
    public static Availability availability(Device device) {
        return switch (device.kind()) {
            case CPU -> new Availability(true, CPU.describe());
            case CUDA_EMU -> KernelRuntimes.emulatorAvailability(KernelBundle.MAIN);
            case CUDA -> device.index() == 0 ? KernelRuntimes.driverAvailability(KernelBundle.MAIN)
                    : new Availability(false, "unavailable: only cuda:0 is supported (the driver runtime opens device 0)");
        };
    }

    /** Each backend's name with its state, for `stylemap info`. */
    public static Map<String, String> describeAll() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cpu", CPU.describe());
        for (Device d : new Device[] {Device.cuda(0), Device.CUDA_EMU}) m.put(d.kind().label, availability(d).line());
        return m;
    }
}
