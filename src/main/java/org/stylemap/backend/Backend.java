package org.stylemap.backend;

import java.lang.foreign.MemorySegment;
import org.stylemap.memory.Storage;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/**
 * One device's memory and primitives. Ops (package ops) check shapes, allocate outputs through
 * {@link #allocate} and wire autograd; a backend only computes. Conventions for every method:
 * <ul>
 *   <li>outputs ({@code out}, {@code y}, {@code dx}, ...) are contiguous, freshly allocated by the
 *       caller, and are overwritten; they never alias an input;</li>
 *   <li>inputs may be arbitrary strided views (stride 0 for broadcast dimensions) unless a method
 *       says otherwise; all tensors of one call share a dtype and this backend's device unless it
 *       says otherwise;</li>
 *   <li>layouts are NCHW, weights OIHW.</li>
 * </ul>
 *
 * <h2>Asynchrony</h2>
 * A device backend may queue work and return before it is done (the CUDA backend launches on one
 * stream and never waits after a launch). Only these wait for the queued work: {@link #copyToHost}
 * (every host read, e.g. {@code Tensor.toDoubleArray} and {@code item}) and {@link #synchronize}.
 * Everything else may return early, in order: work is done in the order it was issued. So no
 * forward or backward reads device values on the host; benchmarks call {@link #synchronize}
 * before reading the clock. The CPU backend computes synchronously, which meets the contract.
 */
public interface Backend {
    Device device();

    /** Human-readable name and state, for `stylemap info`. */
    String describe();

    /**
     * New uninitialised storage of numel elements. Lifetime is the caller's business: Tensor's
     * factories register it with the current Scope, in that one place.
     */
    Storage allocate(DType dtype, long numel);

    /**
     * Copies dst.numel() elements of dst's dtype (native byte order) from host memory into the
     * contiguous dst. src may be a heap or native segment; it may be reused as soon as this returns.
     */
    void copyFromHost(Tensor dst, MemorySegment src);

    /** Copies the contiguous src into host memory (src.numel() elements of its dtype); waits for it. */
    void copyToHost(Tensor src, MemorySegment dst);

    /** Waits until every queued operation of this backend has finished. */
    void synchronize();

    /** Memory held by this backend's storages (see {@link MemoryStats}). */
    MemoryStats memoryStats();

    /** Starts a new peak: peak = live now. */
    void resetPeakMemory();

    /** dst[i] = src[i] for a strided dst and a src of the same shape (dtypes may differ). */
    void assign(Tensor dst, Tensor src);

    void fill(Tensor dst, double value);

    void unary(UnaryOp op, double p, Tensor x, Tensor out);

    /** a and b have out's shape (broadcast dimensions as stride-0 views). */
    void binary(BinaryOp op, Tensor a, Tensor b, Tensor out);

    /** out = cond != 0 ? a : b; all three have out's shape. */
    void where(Tensor cond, Tensor a, Tensor b, Tensor out);

    /** Sums x into out, which has x's rank with every reduced dimension of size 1. */
    void sum(Tensor x, Tensor out);

    /** Batched out[b] = a[b] @ b[b]: a [B,M,K], b [B,K,N], out [B,M,N]. */
    void matmul(Tensor a, Tensor b, Tensor out);

    /** Cross-correlation, zero padding, groups; x [N,C,H,W], w [O,C/groups,KH,KW], y [N,O,OH,OW]. */
    void conv2d(Tensor x, Tensor w, Tensor y, int strideH, int strideW, int padH, int padW, int groups);

    /** The adjoint of conv2d with respect to x (a transposed convolution); dx has x's shape. */
    void conv2dBackwardData(Tensor dy, Tensor w, Tensor dx, int strideH, int strideW, int padH, int padW, int groups);

    /** The adjoint of conv2d with respect to w; dw has w's shape. */
    void conv2dBackwardWeight(Tensor x, Tensor dy, Tensor dw, int strideH, int strideW, int padH, int padW, int groups);

    /**
     * StyleGAN's upfirdn2d on x [N,C,H,W] with a 2-D FIR kernel k [KH,KW]: insert up-1 zeros after
     * every sample, pad (negative pads crop), convolve with k (a true convolution: k is flipped),
     * keep every down-th sample. out [N,C,(H*upY+padY0+padY1-KH)/downY+1, (W*upX+...)/downX+1].
     * With flipKernel the kernel is used rotated by 180 degrees (a cross-correlation): the
     * gradient's form, without copying the kernel.
     */
    void upfirdn2d(Tensor x, Tensor k, boolean flipKernel, int upX, int upY, int downX, int downY,
                   int padX0, int padX1, int padY0, int padY1, Tensor out);

    /** Max pooling over k x k windows with the given stride and -inf padding. */
    void maxPool2d(Tensor x, Tensor out, int k, int stride, int pad);

    /** dx = gradient of maxPool2d: each dy element goes to its window's first maximum. */
    void maxPool2dBackward(Tensor x, Tensor dy, Tensor dx, int k, int stride, int pad);

    /**
     * Fills out with standard normal (or uniform [0,1) when uniform) numbers from the counter-based
     * Philox generator: element i uses counter (offset + i), so results are identical on every
     * device and thread count.
     */
    void random(Tensor out, long seed, long offset, boolean uniform);
}
