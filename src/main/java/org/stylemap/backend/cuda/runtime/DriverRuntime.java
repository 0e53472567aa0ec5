package org.stylemap.backend.cuda.runtime;

import static jcuda.driver.JCudaDriver.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

/**
 * The kernels on the GPU through JCuda's driver API: device 0's primary context, one non-blocking
 * stream for everything, the bundle's fatbins loaded with cuModuleLoadData on first use of a
 * family. Launches, device copies and memsets are queued on the stream and return at once; only
 * {@link #copyToHost} and {@link #synchronize} wait.
 */
public final class DriverRuntime implements KernelRuntime {
    /** Dynamic shared memory a kernel may use without opting in. */
    private static final int DEFAULT_SHARED_LIMIT = 48 * 1024;

    private final KernelBundle bundle;
    private final CUcontext context = new CUcontext();
    private final Stream stream = new Stream();
    private final String description;
    private final Map<String, CUmodule> modules = new HashMap<>();
    private final ThreadLocal<Boolean> bound = new ThreadLocal<>();
    private MemorySegment paramBuffer = MemorySegment.NULL;

    private static final class Function implements KernelFunction {
        final String family, name;
        final CUfunction handle = new CUfunction();
        int sharedOptIn = DEFAULT_SHARED_LIMIT;

        Function(String family, String name) {
            this.family = family;
            this.name = name;
        }

        @Override public String family() { return family; }

        @Override public String name() { return name; }

        @Override public String toString() { return family + "/" + name; }
    }

    /** A CUdeviceptr whose address can be read (JCuda keeps it in a protected field). */
    private static final class DevicePointer extends CUdeviceptr {
        long address() {
            return getNativePointer() + getByteOffset();
        }
    }

    /** A CUstream whose handle can be read (JCuda keeps it in a protected field). */
    private static final class Stream extends CUstream {
        long handle() {
            return getNativePointer();
        }
    }

    private DriverRuntime(KernelBundle bundle) {
        this.bundle = bundle;
        check(cuInit(0), "cuInit");
        CUdevice device = new CUdevice();
        check(cuDeviceGet(device, 0), "cuDeviceGet");
        check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        bind();
        check(cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate");
        description = describe(device);
    }

    /**
     * Whether the GPU can be used here: no CUDA driver (JCuda's native library cannot load
     * libcuda.so.1), no GPU, or kernels not built (no fatbins in the bundle), each in one line.
     */
    static Availability availability(KernelBundle bundle) {
        String loadProblem = Loader.PROBLEM;
        if (loadProblem != null) return Availability.no("no CUDA driver (" + loadProblem + ")");
        int status = cuInit(0);
        int[] count = {0};
        if (status == CUresult.CUDA_ERROR_NO_DEVICE || status == CUresult.CUDA_SUCCESS && cuDeviceGetCount(count) == 0 && count[0] == 0)
            return Availability.no("no GPU (the CUDA driver found no device)");
        if (status != CUresult.CUDA_SUCCESS)
            return Availability.no("the CUDA driver does not start (cuInit: " + CUresult.stringFor(status) + ")");
        String missing = bundle.fatbinsMissing();
        if (missing != null) return Availability.no("kernels not built (" + missing + ")");
        CUdevice device = new CUdevice();
        check(cuDeviceGet(device, 0), "cuDeviceGet");
        return Availability.yes(describe(device));
    }

    /** JCuda loads its native library once, in its class initialiser; a failure is kept here. */
    private static final class Loader {
        static final String PROBLEM = load();

        private static String load() {
            try {
                cuInit(0);
                return null;
            } catch (LinkageError e) {
                // JCuda's message spans many lines (both ways it tried); the cause fits in a phrase.
                String m = String.valueOf(e.getMessage());
                if (m.contains("libcuda.so")) return "libcuda.so.1 not found";
                return "JCuda's native library did not load: " + m.lines().findFirst().orElse(m);
            }
        }
    }

    /** Opens device 0; use {@link KernelRuntimes#driver}, which keeps one per bundle. */
    static DriverRuntime open(KernelBundle bundle) {
        Availability a = availability(bundle);
        if (!a.available()) throw new KernelRuntimeException("the CUDA driver runtime is " + a.line());
        return new DriverRuntime(bundle);
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public boolean emulated() {
        return false;
    }

    @Override
    public long alloc(long bytes) {
        bind();
        DevicePointer p = new DevicePointer();
        int status = cuMemAlloc(p, Math.max(bytes, 1));
        if (status == CUresult.CUDA_ERROR_OUT_OF_MEMORY) throw new DeviceOutOfMemoryException(bytes, memoryInfo());
        check(status, "cuMemAlloc of " + bytes + " bytes");
        return p.address();
    }

    @Override
    public void free(long pointer) {
        bind();
        check(cuMemFree(device(pointer)), "cuMemFree");
    }

    @Override
    public MemoryInfo memoryInfo() {
        bind();
        long[] free = {0}, total = {0};
        check(cuMemGetInfo(free, total), "cuMemGetInfo");
        return new MemoryInfo(free[0], total[0]);
    }

    @Override
    public synchronized void copyToDevice(long dst, MemorySegment src, long bytes) {
        bind();
        check(cuMemcpyHtoDAsync(device(dst), host(HostMemory.checked(src, bytes)), bytes, stream), "cuMemcpyHtoDAsync");
    }

    @Override
    public synchronized void copyToHost(MemorySegment dst, long src, long bytes) {
        bind();
        check(cuMemcpyDtoHAsync(host(HostMemory.checked(dst, bytes)), device(src), bytes, stream), "cuMemcpyDtoHAsync");
        check(cuStreamSynchronize(stream), "cuStreamSynchronize (after a copy to the host)");
    }

    @Override
    public synchronized void copyOnDevice(long dst, long src, long bytes) {
        bind();
        check(cuMemcpyDtoDAsync(device(dst), device(src), bytes, stream), "cuMemcpyDtoDAsync");
    }

    @Override
    public synchronized void memset(long dst, int value, long bytes) {
        bind();
        check(cuMemsetD8Async(device(dst), (byte) value, bytes, stream), "cuMemsetD8Async");
    }

    @Override
    public synchronized KernelFunction function(String family, String name) {
        bundle.checkFamily(family);
        bind();
        CUmodule module = modules.get(family);
        if (module == null) {
            module = new CUmodule();
            check(cuModuleLoadData(module, bundle.fatbin(family)), "cuModuleLoadData of " + family + ".fatbin");
            modules.put(family, module);
        }
        Function f = new Function(family, name);
        int status = cuModuleGetFunction(f.handle, module, name);
        if (status == CUresult.CUDA_ERROR_NOT_FOUND)
            throw new KernelRuntimeException("kernel family " + family + " has no kernel " + name);
        check(status, "cuModuleGetFunction " + name);
        return f;
    }

    @Override
    public synchronized void launch(KernelFunction f, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args) {
        if (!(f instanceof Function fn)) throw new IllegalArgumentException(f + " was not found by this runtime");
        bind();
        if (sharedBytes > fn.sharedOptIn) {
            check(cuFuncSetAttribute(fn.handle, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, sharedBytes),
                    "cuFuncSetAttribute (" + sharedBytes + " bytes of dynamic shared memory for " + fn + ")");
            fn.sharedOptIn = sharedBytes;
        }
        if (paramBuffer.byteSize() < args.packedBytes()) paramBuffer = Arena.ofAuto().allocate(Math.max(args.packedBytes(), 256), 16);
        // The driver copies the parameter values during the call, so the buffer is free again after it.
        long params = args.pack(paramBuffer);
        check(cuLaunchKernel(fn.handle, grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(), sharedBytes, stream,
                new Pointer().withByteOffset(params), null), "cuLaunchKernel " + fn + " grid " + grid + " block " + block);
    }

    /**
     * The raw CUstream everything of this runtime is queued on, with the primary context made
     * current on the calling thread: for libraries called through java.lang.foreign (cuBLAS) whose
     * work must fall into the same order.
     */
    public synchronized long streamHandle() {
        bind();
        return stream.handle();
    }

    @Override
    public synchronized void synchronize() {
        bind();
        check(cuStreamSynchronize(stream), "cuStreamSynchronize");
    }

    /** Makes the primary context current on the calling thread (once per thread). */
    private void bind() {
        if (bound.get() != null) return;
        check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
        bound.set(Boolean.TRUE);
    }

    private static String describe(CUdevice device) {
        byte[] name = new byte[256];
        check(cuDeviceGetName(name, name.length, device), "cuDeviceGetName");
        int[] major = {0}, minor = {0}, sms = {0}, driver = {0};
        long[] memory = {0};
        check(cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device), "cuDeviceGetAttribute");
        check(cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device), "cuDeviceGetAttribute");
        check(cuDeviceGetAttribute(sms, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device), "cuDeviceGetAttribute");
        check(cuDeviceTotalMem(memory, device), "cuDeviceTotalMem");
        check(cuDriverGetVersion(driver), "cuDriverGetVersion");
        int end = 0;
        while (end < name.length && name[end] != 0) end++;
        return String.format("%s (sm_%d%d, %d SMs, %.1f GiB), CUDA driver %d.%d", new String(name, 0, end, StandardCharsets.UTF_8),
                major[0], minor[0], sms[0], memory[0] / (double) (1L << 30), driver[0] / 1000, driver[0] % 1000 / 10);
    }

    private static CUdeviceptr device(long address) {
        return new CUdeviceptr().withByteOffset(address);
    }

    private static Pointer host(MemorySegment s) {
        return new Pointer().withByteOffset(s.address());
    }

    private static void check(int status, String call) {
        if (status != CUresult.CUDA_SUCCESS) throw new KernelRuntimeException(call + " failed: " + CUresult.stringFor(status));
    }
}
