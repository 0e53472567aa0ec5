package org.stylemap.backend.cuda.runtime;

/** A kernel found by {@link KernelRuntime#function}: launch it on the runtime that returned it. */
public interface KernelFunction {
    /** The kernel family: the .cu file's name without the extension. */
    String family();

    /** The kernel's extern "C" name. */
    String name();
}
