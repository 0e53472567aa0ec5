package org.stylemap.backend.cuda.runtime;

import java.util.HashMap;
import java.util.Map;

/**
 * One runtime of each kind per kernel bundle for the whole process (a device context, a worker
 * pool), opened on first use, and their availability for `stylemap info`.
 */
public final class KernelRuntimes {
    private static final Map<String, EmulatorRuntime> EMULATORS = new HashMap<>();
    private static final Map<String, DriverRuntime> DRIVERS = new HashMap<>();

    private KernelRuntimes() {}

    /**
     * The emulator of bundle, with -Dstylemap.threads (default: all cores) worker threads.
     * @throws KernelRuntimeException when it is unavailable (the line says why)
     */
    public static synchronized EmulatorRuntime emulator(KernelBundle bundle) {
        return EMULATORS.computeIfAbsent(bundle.folder(), f -> EmulatorRuntime.open(bundle,
                Integer.getInteger("stylemap.threads", Runtime.getRuntime().availableProcessors())));
    }

    /**
     * The GPU (device 0) with the fatbins of bundle.
     * @throws KernelRuntimeException when it is unavailable (the line says why)
     */
    public static synchronized DriverRuntime driver(KernelBundle bundle) {
        return DRIVERS.computeIfAbsent(bundle.folder(), f -> DriverRuntime.open(bundle));
    }

    public static Availability emulatorAvailability(KernelBundle bundle) {
        String missing = bundle.emulatorMissing();
        if (missing != null) return Availability.no("kernels not built (" + missing + ")");
        try {
            return Availability.yes(emulator(bundle).describe());
        } catch (RuntimeException e) { // the library does not load here (another platform, a damaged file)
            return Availability.no("the emulator library does not load: " + e.getMessage());
        }
    }

    public static Availability driverAvailability(KernelBundle bundle) {
        synchronized (KernelRuntimes.class) {
            DriverRuntime open = DRIVERS.get(bundle.folder());
            if (open != null) return Availability.yes(open.describe());
        }
        try {
            return DriverRuntime.availability(bundle);
        } catch (KernelRuntimeException e) { // a driver call failed while describing the device
            return Availability.no(e.getMessage());
        }
    }
}
