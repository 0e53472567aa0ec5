package org.stylemap.backend;

import java.util.LinkedHashMap;
import java.util.Map;
import org.stylemap.backend.cpu.CpuBackend;
import org.stylemap.backend.cuda.runtime.KernelRuntimes;
import org.stylemap.tensor.Device;

/** The registry of backends by device: where a device named on the command line becomes a backend. */
public final class Backends {
    private static final CpuBackend CPU = new CpuBackend();

    private Backends() {}

    public static Backend cpu() {
        return CPU;
    }

    /** The backend of a device, or an IllegalArgumentException saying in one line why it cannot be used. */
    public static Backend get(Device device) {
        if (device.kind() == Device.Kind.CPU) return CPU;
        throw new IllegalArgumentException("device " + device + " is unavailable: " + cudaStatus());
    }

    /** Why CUDA cannot be used (yet), in one line. */
    public static String cudaStatus() {
        return "the CUDA backend is not part of this build yet";
    }

    /** Each backend's name with its state, for `stylemap info`. */
    public static Map<String, String> describeAll() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cpu", CPU.describe());
        m.putAll(KernelRuntimes.describeAll()); // the kernel runtimes under the CUDA backend to come
        return m;
    }
}
