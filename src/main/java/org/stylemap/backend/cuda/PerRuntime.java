package org.stylemap.backend.cuda;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.stylemap.backend.cuda.runtime.KernelRuntime;

/**
 * Something made once per kernel runtime, typically the kernel functions a launcher looks up by
 * name (a lookup is a map search, or a module load on the first one). Runtimes live for the whole
 * process (KernelRuntimes keeps one of each kind), so entries are never dropped.
 */
final class PerRuntime<T> {
    private final Function<KernelRuntime, T> make;
    private final Map<KernelRuntime, T> values = new ConcurrentHashMap<>();

    PerRuntime(Function<KernelRuntime, T> make) {
        this.make = make;
    }

    T get(KernelRuntime runtime) {
        return values.computeIfAbsent(runtime, make);
    }
}
