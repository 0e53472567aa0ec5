package org.stylemap.backend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.stylemap.backend.cuda.runtime.Availability;
import org.stylemap.backend.cuda.runtime.DriverRuntime;
import org.stylemap.backend.cuda.runtime.KernelRuntimeException;
import org.stylemap.tensor.DType;

/**
 * cuBLAS through java.lang.foreign: an option for matmul and the reference the GPU tests and
 * benchmarks compare our GEMM against. JCublas 12.6.0 links libcublas.so.12 with versioned
 * symbols, so it cannot load where only CUDA 13's libcublas.so.13 exists; FFM binds either
 * (libcublas.so.13 first, then .12) by plain dlopen, found through LD_LIBRARY_PATH (on the GPU
 * machine: site-packages/nvidia/cu13/lib of its PyTorch). Only four calls are bound: a handle,
 * its stream (the driver runtime's, so cuBLAS work falls into the same order as our launches),
 * its math mode, and cublasGemmStridedBatchedEx.
 */
public final class Cublas implements AutoCloseable {
    private static final String[] LIBRARIES = {"libcublas.so.13", "libcublas.so.12"};
    // cublas_api.h and library_types.h.
    static final int OP_N = 0, OP_T = 1;
    private static final int R_32F = 0, R_64F = 1;
    private static final int COMPUTE_32F_PEDANTIC = 69, COMPUTE_32F_FAST_TF32 = 77, COMPUTE_64F = 70;
    private static final int PEDANTIC_MATH = 2, TF32_TENSOR_OP_MATH = 3;
    private static final int GEMM_DEFAULT = -1;

    /** The library, bound once per process, or why not. */
    private static final class Library {
        static final String NAME;
        static final String PROBLEM;
        static final MethodHandle CREATE, DESTROY, SET_STREAM, SET_MATH_MODE, GEMM_STRIDED_BATCHED_EX;

        static {
            SymbolLookup lookup = null;
            String name = null;
            for (String lib : LIBRARIES) {
                try {
                    lookup = SymbolLookup.libraryLookup(lib, Arena.global());
                    name = lib;
                    break;
                } catch (IllegalArgumentException notFound) { // dlopen failed: try the next name
                }
            }
            NAME = name;
            PROBLEM = lookup == null ? String.join(" and ", LIBRARIES) + " not found (LD_LIBRARY_PATH)" : null;
            Linker linker = Linker.nativeLinker();
            SymbolLookup l = lookup;
            CREATE = bind(linker, l, "cublasCreate_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            DESTROY = bind(linker, l, "cublasDestroy_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            SET_STREAM = bind(linker, l, "cublasSetStream_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
            SET_MATH_MODE = bind(linker, l, "cublasSetMathMode", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
            GEMM_STRIDED_BATCHED_EX = bind(linker, l, "cublasGemmStridedBatchedEx", FunctionDescriptor.of(JAVA_INT,
                    ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                    ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG,
                    ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG,
                    ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG,
                    JAVA_INT, JAVA_INT, JAVA_INT));
        }

        private static MethodHandle bind(Linker linker, SymbolLookup lookup, String symbol, FunctionDescriptor d) {
            if (lookup == null) return null;
            return linker.downcallHandle(lookup.find(symbol)
                    .orElseThrow(() -> new KernelRuntimeException(NAME + " has no " + symbol)), d);
        }
    }

    private final DriverRuntime runtime;
    private final MemorySegment handle;
    private final boolean tf32;

    private Cublas(DriverRuntime runtime, MemorySegment handle, boolean tf32) {
        this.runtime = runtime;
        this.handle = handle;
        this.tf32 = tf32;
    }

    /** Whether cuBLAS loads here, in one line ("available: libcublas.so.13" or why not). */
    public static Availability availability() {
        try {
            return Library.PROBLEM == null ? new Availability(true, "available: " + Library.NAME)
                    : new Availability(false, "unavailable: " + Library.PROBLEM);
        } catch (ExceptionInInitializerError | NoClassDefFoundError e) { // a symbol missing from the library
            return new Availability(false, "unavailable: " + e.getCause());
        }
    }

    /**
     * A cuBLAS handle on runtime's stream. float32 products are computed in float32 without tensor
     * cores (pedantic) unless tf32, which lets cuBLAS round the operands to TF32 for the tensor cores.
     * @throws KernelRuntimeException when cuBLAS is unavailable or a call fails
     */
    public static Cublas open(DriverRuntime runtime, boolean tf32) {
        Availability a = availability();
        if (!a.available()) throw new KernelRuntimeException("cuBLAS is " + a.line());
        synchronized (runtime) {
            long stream = runtime.streamHandle();
            MemorySegment handle;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment slot = arena.allocate(ADDRESS);
                check(invoke(Library.CREATE, slot), "cublasCreate_v2");
                handle = slot.get(ADDRESS, 0);
            }
            check(invoke(Library.SET_STREAM, handle, MemorySegment.ofAddress(stream)), "cublasSetStream_v2");
            check(invoke(Library.SET_MATH_MODE, handle, tf32 ? TF32_TENSOR_OP_MATH : PEDANTIC_MATH), "cublasSetMathMode");
            return new Cublas(runtime, handle, tf32);
        }
    }

    /**
     * {@link CudaGemm#gemmBatched}'s product and arguments (row-major, offsets in elements), by
     * cuBLAS (see {@link ColumnMajor} for how the call is made).
     */
    public void gemmBatched(DType dtype, boolean transA, boolean transB, int batch, int m, int n, int k, double alpha,
                            long a, long aOff, int lda, long strideA, long b, long bOff, int ldb, long strideB,
                            double beta, long c, long cOff, int ldc, long strideC) {
        if (batch == 0 || m == 0 || n == 0) return;
        int es = dtype.bytes;
        boolean f64 = dtype == DType.F64;
        int type = f64 ? R_64F : R_32F;
        int compute = f64 ? COMPUTE_64F : tf32 ? COMPUTE_32F_FAST_TF32 : COMPUTE_32F_PEDANTIC;
        ColumnMajor cm = ColumnMajor.of(transA, transB, m, n, k, lda, ldb, ldc);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment al = scalar(arena, f64, alpha), be = scalar(arena, f64, beta);
            synchronized (runtime) {
                runtime.streamHandle(); // makes the context current on this thread
                check(invoke(Library.GEMM_STRIDED_BATCHED_EX, handle, cm.transa, cm.transb, cm.m, cm.n, cm.k,
                        al, MemorySegment.ofAddress(b + bOff * es), type, cm.lda, strideB,
                        MemorySegment.ofAddress(a + aOff * es), type, cm.ldb, strideA,
                        be, MemorySegment.ofAddress(c + cOff * es), type, cm.ldc, strideC,
                        batch, compute, GEMM_DEFAULT), "cublasGemmStridedBatchedEx");
            }
        }
    }

    /**
     * The column-major (BLAS) call that computes a row-major product. A row-major matrix with leading
     * dimension ld is, read column-major, its transpose with the same ld; so the row-major
     * C = op(A) op(B) is the column-major C^T = op(B)^T op(A)^T: cuBLAS's first operand is our B and
     * its second our A, each passed as stored, with transa = transB and transb = transA, and m and n
     * swapped. Leading dimensions are ours, except that a stored matrix of one row may have any
     * (CudaGemm's rule) while cuBLAS wants at least the row's length.
     */
    record ColumnMajor(int transa, int transb, int m, int n, int k, int lda, int ldb, int ldc) {
        static ColumnMajor of(boolean transA, boolean transB, int m, int n, int k, int lda, int ldb, int ldc) {
            return new ColumnMajor(transB ? OP_T : OP_N, transA ? OP_T : OP_N, n, m, k,
                    ld(ldb, transB, k, n), ld(lda, transA, m, k), ld(ldc, false, m, n));
        }

        /** ld of an op(X) of rows x cols stored row-major (transposed: cols x rows). */
        private static int ld(int ld, boolean trans, int rows, int cols) {
            int stored = trans ? cols : rows, width = trans ? rows : cols;
            return stored <= 1 ? Math.max(Math.max(1, width), ld) : ld;
        }
    }

    /** Releases the handle (after the work queued with it; the stream stays the runtime's). */
    @Override
    public void close() {
        synchronized (runtime) {
            runtime.synchronize();
            check(invoke(Library.DESTROY, handle), "cublasDestroy_v2");
        }
    }

    private static MemorySegment scalar(Arena arena, boolean f64, double v) {
        return f64 ? arena.allocateFrom(ValueLayout.JAVA_DOUBLE, v) : arena.allocateFrom(ValueLayout.JAVA_FLOAT, (float) v);
    }

    private static int invoke(MethodHandle h, Object... args) {
        try {
            return (int) h.invokeWithArguments(args);
        } catch (Throwable t) {
            throw new KernelRuntimeException("cuBLAS call failed: " + t);
        }
    }

    private static void check(int status, String call) {
        if (status != 0) throw new KernelRuntimeException(call + " failed: cublasStatus " + status);
    }
}
