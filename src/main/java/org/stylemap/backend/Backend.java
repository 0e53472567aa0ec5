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

    // ---------------------------------------------------------------- fused primitives
    // Each has a composite reference twin (ops.Reference forces it); the CUDA kernels of the same
    // names implement exactly these signatures. Unlike the methods above, these expect contiguous
    // tensors (offsets allowed), checked by the ops before they call. float32 and float64.

    /**
     * Bias + leaky ReLU with gain (kernels/bias_act.cu, ops.BiasAct):
     * {@code y = (v > 0 ? v : slope * v) * gain} with {@code v = x + b[c]}, where c is the index
     * along dimension 1 (x is read as [outer, C, inner], rank >= 2). b [C] or null (no bias).
     * x, b and y contiguous; y has x's shape and is overwritten; y may alias x (in place).
     * In float32 every step rounds to float32, with slope and gain rounded to float32 first.
     */
    void biasAct(Tensor x, Tensor b, Tensor y, double slope, double gain);

    /**
     * The gradient of {@link #biasAct} with respect to x from its output y (kernels/bias_act.cu):
     * {@code dx = y > 0 ? dy * gain : (dy * gain) * slope}. Valid for gain > 0 and slope >= 0,
     * where y > 0 exactly when x + b > 0. dy, y and dx contiguous and of one shape; dx is
     * overwritten and may alias dy. This map is linear in dy with a mask fixed by y, so it is
     * also its own gradient (second order: the same call on the incoming gradient).
     */
    void biasActBackward(Tensor dy, Tensor y, Tensor dx, double slope, double gain);

    /**
     * StyleMapGAN's spatially variant modulation (kernels/modulation.cu, ops.Modulation):
     * {@code y = (x - mean) * rstd * gamma + beta}. x [N,C,H,W]; gammaBeta [N,2C,H,W] holds gamma
     * in channels [0, C) and beta in [C, 2C) (the output of one convolution). Statistics per
     * group: a sample (over C,H,W: LayerNorm) or, with instanceNorm, a sample and channel (over
     * H,W); biased variance, {@code rstd = 1 / sqrt(var + eps)}. mean and rstd [groups] (N or
     * N*C, in group order) are written for {@link #modulationBackward}. All contiguous; y, mean
     * and rstd are overwritten and never alias an input. Sums accumulate in float64.
     */
    void modulation(Tensor x, Tensor gammaBeta, Tensor y, Tensor mean, Tensor rstd, boolean instanceNorm, double eps);

    /**
     * The gradients of {@link #modulation} (kernels/modulation.cu): with
     * {@code xhat = (x - mean) * rstd} and {@code g = dy * gamma} per group of n elements,
     * {@code dx = rstd * (g - sum(g) / n - xhat * sum(g * xhat) / n)}; dGammaBeta [N,2C,H,W]
     * receives {@code dgamma = dy * xhat} in channels [0, C) and {@code dbeta = dy} in [C, 2C).
     * mean and rstd are the forward's. All contiguous; dx and dGammaBeta are overwritten and
     * never alias an input. First order only (the op differentiates its reference for more).
     */
    void modulationBackward(Tensor dy, Tensor x, Tensor gammaBeta, Tensor mean, Tensor rstd,
                            Tensor dx, Tensor dGammaBeta, boolean instanceNorm);

    /**
     * One Adam step over many parameter tensors (kernels/optimizers.cu: adam_*, nn.Adam), in torch.optim.Adam's
     * order (no weight decay, no amsgrad), for every element of tensor i:
     * <pre>
     * m = m * beta1 + (1 - beta1) * g
     * v = v * beta2 + ((1 - beta2) * g) * g
     * p = p + (-stepSize[i] * m) / (sqrt(v) / biasCorrection2Sqrt[i] + eps)
     * </pre>
     * with {@code stepSize[i] = lr / (1 - beta1^t)}, {@code biasCorrection2Sqrt[i] = sqrt(1 - beta2^t)}
     * for the tensor's own step count t (counts differ after a load). In float32 every scalar is
     * rounded to float32 and every operation rounds, as PyTorch's CPU kernels do (no fused
     * multiply-add). params, expAvg, expAvgSq updated in place; grads read; grads[i] == null is a
     * zero gradient. Arrays of equal length; tensor i of each contiguous, of one shape; one dtype.
     */
    void adam(Tensor[] params, Tensor[] grads, Tensor[] expAvg, Tensor[] expAvgSq,
              double[] stepSize, double[] biasCorrection2Sqrt, double beta1, double beta2, double eps);

    /**
     * Exponential moving average over many tensors (kernels/optimizers.cu: ema_*, nn.Ema):
     * {@code target = target * decay + (1 - decay) * source} per element, in float32 with both
     * scalars rounded to float32 and every operation rounding (PyTorch's mul_ then add_).
     * targets updated in place, sources read; tensor i of each contiguous, of one shape; one dtype.
     */
    void ema(Tensor[] targets, Tensor[] sources, double decay);
}
