package org.stylemap.backend.cuda.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The kernels run on the host by the CUDA emulator (kernels/cuda_emu.h, docs/CUDA-EMULATOR.md):
 * the bundle's host library is loaded through java.lang.foreign and each kernel is called through
 * its exported cuLaunchKernel-style entry. "Device" memory is host memory from the C allocator.
 * Launches run to completion before they return (blocks in parallel on the emulator's workers),
 * so {@link #synchronize} has nothing to wait for; launches and copies are serialised, as on a stream.
 */
public final class EmulatorRuntime implements KernelRuntime {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final FunctionDescriptor LAUNCH = FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS);

    private final KernelBundle bundle;
    private final SymbolLookup library;
    private final MethodHandle alloc, free, lastError, setStrict, strict;
    private final int workers;
    private MemorySegment launchBuffer = MemorySegment.NULL;

    private record Function(String family, String name, String signature, MethodHandle entry) implements KernelFunction {
        @Override
        public String toString() {
            return family + "/" + name;
        }
    }

    private EmulatorRuntime(KernelBundle bundle, Path library, int workers) {
        this.bundle = bundle;
        this.library = SymbolLookup.libraryLookup(library, Arena.global());
        alloc = handle("emu_alloc", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        free = handle("emu_free", FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
        lastError = handle("emu_last_error", FunctionDescriptor.of(ValueLayout.ADDRESS));
        setStrict = handle("emu_set_strict", FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
        strict = handle("emu_strict", FunctionDescriptor.of(ValueLayout.JAVA_INT));
        MethodHandle setWorkers = handle("emu_set_workers", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        try {
            this.workers = (int) setWorkers.invokeExact(workers);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Loads the emulator library of bundle, with workers threads running blocks (the first
     * emulator of a library fixes the count). Use {@link KernelRuntimes#emulator}, which keeps
     * one per bundle.
     */
    static EmulatorRuntime open(KernelBundle bundle, int workers) {
        String missing = bundle.emulatorMissing();
        if (missing != null) throw new KernelRuntimeException("the CUDA emulator is unavailable: kernels not built (" + missing + ")");
        return new EmulatorRuntime(bundle, localCopy(bundle.emulatorLibrary()), workers);
    }

    /** Strict mode: a block whose threads pass different numbers of __syncthreads fails its launch. */
    public void setStrict(boolean on) {
        try {
            setStrict.invokeExact(on ? 1 : 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public boolean strict() {
        try {
            return (int) strict.invokeExact() != 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public String describe() {
        return "CUDA emulator on the host, " + workers + " worker threads, strict mode " + (strict() ? "on" : "off")
                + ", " + bundle.families().size() + " kernel families from " + bundle;
    }

    @Override
    public boolean emulated() {
        return true;
    }

    @Override
    public long alloc(long bytes) {
        try {
            MemorySegment p = (MemorySegment) alloc.invokeExact(bytes);
            if (p.address() == 0) throw new DeviceOutOfMemoryException(bytes, memoryInfo());
            return p.address();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void free(long pointer) {
        try {
            free.invokeExact(MemorySegment.ofAddress(pointer));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public MemoryInfo memoryInfo() {
        return HostMemory.info();
    }

    @Override
    public synchronized void copyToDevice(long dst, MemorySegment src, long bytes) {
        MemorySegment.copy(HostMemory.checked(src, bytes), 0, device(dst, bytes), 0, bytes);
    }

    @Override
    public synchronized void copyToHost(MemorySegment dst, long src, long bytes) {
        MemorySegment.copy(device(src, bytes), 0, HostMemory.checked(dst, bytes), 0, bytes);
    }

    @Override
    public synchronized void copyOnDevice(long dst, long src, long bytes) {
        MemorySegment.copy(device(src, bytes), 0, device(dst, bytes), 0, bytes);
    }

    @Override
    public synchronized void memset(long dst, int value, long bytes) {
        device(dst, bytes).fill((byte) value);
    }

    @Override
    public KernelFunction function(String family, String name) {
        bundle.checkFamily(family);
        String suffix = family + "__" + name;
        MemorySegment entry = library.find("emu_launch_" + suffix).orElseThrow(() -> new KernelRuntimeException(
                "kernel family " + family + " has no kernel " + name + " (is EMU_EXPORT(" + name + ") at the end of kernels/"
                        + family + ".cu?)"));
        MethodHandle signatureOf = handle("emu_signature_" + suffix, FunctionDescriptor.of(ValueLayout.ADDRESS));
        String signature;
        try {
            signature = ((MemorySegment) signatureOf.invokeExact()).reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return new Function(family, name, signature, LINKER.downcallHandle(entry, LAUNCH));
    }

    @Override
    public synchronized void launch(KernelFunction f, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args) {
        if (!(f instanceof Function fn)) throw new IllegalArgumentException(f + " was not found by this emulator");
        if (!fn.signature.equals(args.signature()))
            throw new IllegalArgumentException("kernel " + fn + " takes (" + fn.signature + ") but was given (" + args.signature()
                    + "); p pointer, i int, l long, f float, d double");
        long need = 32 + args.packedBytes();
        if (launchBuffer.byteSize() < need) launchBuffer = Arena.ofAuto().allocate(Math.max(need, 256), 16);
        MemorySegment dims = launchBuffer.asSlice(0, 24);
        dims.setAtIndex(ValueLayout.JAVA_INT, 0, grid.x());
        dims.setAtIndex(ValueLayout.JAVA_INT, 1, grid.y());
        dims.setAtIndex(ValueLayout.JAVA_INT, 2, grid.z());
        dims.setAtIndex(ValueLayout.JAVA_INT, 3, block.x());
        dims.setAtIndex(ValueLayout.JAVA_INT, 4, block.y());
        dims.setAtIndex(ValueLayout.JAVA_INT, 5, block.z());
        long params = args.pack(launchBuffer.asSlice(32));
        int status;
        try {
            status = (int) fn.entry.invokeExact(dims, dims.asSlice(12), sharedBytes, MemorySegment.ofAddress(params));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (status != 0) throw new KernelRuntimeException(lastError());
    }

    @Override
    public void synchronize() {}

    private String lastError() {
        try {
            return ((MemorySegment) lastError.invokeExact()).reinterpret(1 << 16).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static MemorySegment device(long pointer, long bytes) {
        return MemorySegment.ofAddress(pointer).reinterpret(bytes);
    }

    private MethodHandle handle(String symbol, FunctionDescriptor descriptor) {
        MemorySegment address = library.find(symbol)
                .orElseThrow(() -> new KernelRuntimeException("the emulator library of " + bundle + " has no " + symbol));
        return LINKER.downcallHandle(address, descriptor);
    }

    /** The library as a file: itself when the class path is a folder, else a copy in a temporary file. */
    private static Path localCopy(URL url) {
        try {
            if ("file".equals(url.getProtocol())) return Path.of(url.toURI());
            Path copy = Files.createTempFile("stylemap-emu-", ".so");
            copy.toFile().deleteOnExit();
            try (InputStream in = url.openStream()) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("extracting the emulator library " + url, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
