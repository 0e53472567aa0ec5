package org.stylemap.backend.cuda.runtime;

/** A kernel runtime call failed: a driver error, a kernel the emulator stopped, a missing kernel. */
public class KernelRuntimeException extends RuntimeException {
    public KernelRuntimeException(String message) {
        super(message);
    }
}
