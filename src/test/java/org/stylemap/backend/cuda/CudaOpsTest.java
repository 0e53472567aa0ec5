package org.stylemap.backend.cuda;

import static org.stylemap.testing.Checks.awayFromZero;
import static org.stylemap.testing.Checks.distinct;
import static org.stylemap.testing.Checks.randn;
import static org.stylemap.testing.Checks.uniform;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.stylemap.ops.Conv;
import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Linalg;
import org.stylemap.ops.Losses;
import org.stylemap.ops.MinibatchStd;
import org.stylemap.ops.Norms;
import org.stylemap.ops.Pooling;
import org.stylemap.ops.Reductions;
import org.stylemap.ops.Resize;
import org.stylemap.ops.Upfirdn2d;
import org.stylemap.ops.Views;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;
import org.stylemap.testing.CudaDevices;
import org.stylemap.testing.DeviceChecks;

/**
 * The ops built on the CUDA backend's primitives (elementwise, reductions, views' copies, max and
 * average pooling, norms, minibatch stddev, losses, convolutions and their adjoints, matrix
 * products, upfirdn2d, resizing) on the device against the CPU through autograd: outputs and every
 * input gradient in float64 (1e-12) and float32 (1e-5), second derivatives for the ops on the R1
 * path. Odd sizes (1, 3, 17, 33, 65), broadcasting and non-contiguous inputs. The fused ops
 * (bias_act, modulation, Adam, EMA): CudaFusedTest.
 */
class CudaOpsTest {
    private static final String DEVICES = "org.stylemap.testing.CudaDevices#all";
    private static final double F64 = 1e-12, F32 = 1e-5;

    private static Tensor f32(Tensor t) {
        return t.to(DType.F32);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void binaryOpsWithBroadcastingAndViews(Device device) {
        DeviceChecks c = DeviceChecks.on(CudaDevices.require(device)).tolerance(F64);
        Tensor a = randn(1, 3, 1, 17), b = randn(2, 33, 1), pos = uniform(3, 0.5, 2, 33, 17);
        c.check("add", x -> x[0].add(x[1]), a, b);
        c.check("sub", x -> x[1].sub(x[0]), a, b);
        c.check("div", x -> x[0].div(x[2]), a, b, pos);
        c.check("pow", x -> x[2].pow(x[0]), a, b, pos);
        c.check("maximum", x -> Elementwise.maximum(x[0], x[1]), distinct(4, 3, 33, 17), randn(5, 17));
        c.check("where", x -> Elementwise.where(Elementwise.greater(x[0], x[1]), x[0].mul(x[1]), x[1]), a, b);
        c.check("mul of transposed views", x -> Views.transpose(x[0], 0, 2).mul(Views.slice(x[1], 0, 3, 20)), randn(6, 17, 1, 3),
                randn(7, 33, 1));
        DeviceChecks.on(device).tolerance(F32).check("float32 mul add", x -> x[0].mul(x[1]).add(x[1]), f32(a), f32(b));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void unaryOps(Device device) {
        DeviceChecks c = DeviceChecks.on(CudaDevices.require(device)).tolerance(F64);
        Tensor x = randn(8, 3, 17, 5), pos = uniform(9, 0.2, 3, 17, 5), kinked = awayFromZero(10, 0.05, 65);
        c.check("exp", v -> v[0].exp(), x);
        c.check("log", v -> v[0].log(), pos);
        c.check("sqrt", v -> v[0].sqrt(), pos);
        c.check("rsqrt", v -> v[0].rsqrt(), pos);
        c.check("pow 2.5", v -> v[0].pow(2.5), pos);
        c.check("abs", v -> v[0].abs(), kinked);
        c.check("neg and add_scalar", v -> v[0].neg().add(0.25), x);
        c.check("sigmoid", v -> Elementwise.sigmoid(v[0]), x);
        c.check("copy and cast", v -> Elementwise.cast(Elementwise.copy(Views.transpose(v[0], 0, 2)), DType.F32).to(DType.F64), x);
        DeviceChecks.on(device).tolerance(F32).check("float32 exp log", v -> v[0].exp().add(v[0].abs().add(1).log()), f32(x));
    }

    /** The ops of the R1 penalty's double backward: gradients of gradients must match too. */
    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void secondOrderOnTheR1Path(Device device) {
        DeviceChecks c = DeviceChecks.on(CudaDevices.require(device)).tolerance(F64).secondOrder();
        Tensor a = randn(11, 3, 17), b = randn(12, 17), kinked = awayFromZero(13, 0.05, 3, 17);
        c.check("mul", x -> x[0].mul(x[1]).mul(x[0]), a, b);
        c.check("add", x -> x[0].add(x[1]).mul(x[0].add(x[1])), a, b);
        c.check("scale", x -> x[0].mul(-1.7).mul(x[0]), a);
        c.check("softplus", x -> Elementwise.softplus(x[0]), a);
        c.check("leaky_relu", x -> Elementwise.leakyRelu(x[0], 0.2).mul(x[0]), kinked);
        c.check("sum", x -> x[0].mul(x[0]).sum(new int[] {1}, true).mul(x[1].sum()), a, b);
        c.check("mean", x -> x[0].mul(x[0]).mean(new int[] {0}, false).mul(x[0].mean()), a);
        c.check("mean softplus loss", x -> Losses.meanSoftplus(x[0].mul(x[0]), -1), a);
        c.check("minibatch stddev", x -> MinibatchStd.apply(x[0], 2, 1).mul(MinibatchStd.apply(x[0], 2, 1)), randn(14, 4, 3, 3, 5));
        DeviceChecks.on(device).tolerance(F32).secondOrder().check("float32 softplus of a product",
                x -> Elementwise.softplus(x[0].mul(x[1])), f32(a), f32(b));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void reductionsAndNorms(Device device) {
        DeviceChecks c = DeviceChecks.on(CudaDevices.require(device)).tolerance(F64);
        Tensor x = randn(15, 3, 17, 33), wide = randn(16, 2, 3, 33, 65);
        c.check("sum over 0 and 2", v -> v[0].sum(new int[] {0, 2}, false), x);
        c.check("sum of a permutation", v -> Views.permute(v[0], 2, 0, 1).sum(new int[] {1, 2}, true), x);
        c.check("mean of everything", v -> v[0].mean(), wide);
        c.check("variance", v -> Reductions.var(v[0], new int[] {1}, true, true), x);
        c.check("layer norm", v -> Norms.layerNorm(v[0], 1e-5), wide);
        c.check("instance norm", v -> Norms.instanceNorm(v[0], 1e-5), wide);
        DeviceChecks.on(device).tolerance(F32).check("float32 layer norm", v -> Norms.layerNorm(v[0], 1e-5), f32(wide));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void viewCopiesPoolingAndLosses(Device device) {
        DeviceChecks c = DeviceChecks.on(CudaDevices.require(device)).tolerance(F64);
        Tensor x = randn(17, 2, 3, 17, 17), y = randn(18, 2, 3, 17, 17);
        c.check("reshape of a transposed view", v -> Views.reshape(Views.transpose(v[0], 1, 3), 2, -1), x);
        c.check("pad", v -> Views.pad(v[0], 0, 0, 1, 0, 2, 1, 0, 3), x);
        c.check("concat", v -> Views.concat(1, v[0], Views.slice(v[1], 1, 1, 2), v[0]), x, y);
        c.check("slice and expand", v -> Views.expand(Views.slice(v[0], 2, 3, 4), 2, 3, 5, 17).mul(Views.slice(v[1], 2, 0, 5)), x, y);
        c.check("max_pool2d", v -> Pooling.maxPool2d(v[0], 3, 2, 1), distinct(19, 2, 3, 17, 17));
        c.check("max_pool2d of a view", v -> Pooling.maxPool2d(Views.transpose(v[0], 2, 3), 2, 2, 0), distinct(20, 1, 3, 17, 17));
        c.check("mse", v -> Losses.mse(v[0], v[1]), x, y);
        c.check("mean softplus", v -> Losses.meanSoftplus(v[0], 1), x);
        DeviceChecks.on(device).tolerance(F32).check("float32 max_pool2d and mse",
                v -> Losses.mse(Pooling.maxPool2d(v[0], 3, 2, 1), Pooling.maxPool2d(v[1], 3, 2, 1)), f32(x), f32(y));
    }

    /** conv2d and both adjoints (the R1 path differentiates each of them again): second order. */
    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void convolutionsAndTheirAdjoints(Device device) {
        DeviceChecks c = DeviceChecks.on(CudaDevices.require(device)).tolerance(F64).secondOrder();
        Tensor x = randn(30, 2, 3, 17, 17), w3 = randn(31, 5, 3, 3, 3);
        c.check("conv2d 3x3 pad 1", v -> Conv.conv2d(v[0], v[1], 1, 1, 1), x, w3);
        c.check("conv2d 3x3 stride 2 of a transposed view", v -> Conv.conv2d(Views.transpose(v[0], 2, 3), v[1], 2, 0, 1), x, w3);
        c.check("conv2d 1x1, 65 output channels", v -> Conv.conv2d(v[0], v[1], 1, 0, 1), randn(32, 1, 3, 5, 7), randn(33, 65, 3, 1, 1));
        c.check("conv2d groups 3 (depthwise)", v -> Conv.conv2d(v[0], v[1], 1, 1, 3), x, randn(34, 3, 1, 3, 3));
        c.check("conv_transpose2d 3x3 stride 2", v -> Conv.convTranspose2d(v[0], v[1], 2, 0), randn(35, 2, 3, 5, 3), randn(36, 3, 4, 3, 3));
        c.check("conv2d_backward_data", v -> Conv.conv2dBackwardData(v[0], v[1], new int[] {2, 3, 17, 17}, 2, 1, 1), randn(37, 2, 5, 9, 9),
                w3);
        c.check("conv2d_backward_weight", v -> Conv.conv2dBackwardWeight(v[0], v[1], new int[] {5, 3, 3, 3}, 2, 1, 1), x,
                randn(38, 2, 5, 9, 9));
        DeviceChecks.on(device).tolerance(F32).secondOrder().check("float32 conv2d 3x3", v -> Conv.conv2d(v[0], v[1], 1, 1, 1), f32(x),
                f32(w3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void matrixProductsAndLinear(Device device) {
        DeviceChecks c = DeviceChecks.on(CudaDevices.require(device)).tolerance(F64).secondOrder();
        c.check("matmul with broadcast batches", v -> Linalg.matmul(v[0], v[1]), randn(40, 2, 1, 3, 17), randn(41, 3, 17, 33));
        c.check("matmul of transposed views", v -> Linalg.matmul(Views.transpose(v[0], 0, 1), Views.transpose(v[1], 0, 1)),
                randn(42, 17, 3), randn(43, 65, 17));
        c.check("matmul 1x1", v -> Linalg.matmul(v[0], v[1]), randn(44, 1, 1), randn(45, 1, 1));
        c.check("linear with bias", v -> Linalg.linear(v[0], v[1], v[2]), randn(46, 5, 33), randn(47, 65, 33), randn(48, 65));
        DeviceChecks.on(device).tolerance(F32).secondOrder().check("float32 linear", v -> Linalg.linear(v[0], v[1], v[2]),
                f32(randn(46, 5, 33)), f32(randn(47, 65, 33)), f32(randn(48, 65)));
    }

    /** upfirdn2d with its filter a constant; its gradient is again an upfirdn2d (second order on the R1 path). */
    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void upfirdn2dUpDownAndBlur(Device device) {
        DeviceChecks c = DeviceChecks.on(CudaDevices.require(device)).tolerance(F64).secondOrder().constant(1);
        Tensor x = randn(50, 2, 3, 17, 9), blur = randn(51, 4, 4), odd = randn(52, 3, 2);
        c.check("upfirdn2d blur + down 2", v -> Upfirdn2d.apply(v[0], v[1], 1, 2, 1, 1), x, blur);
        c.check("upfirdn2d up 2", v -> Upfirdn2d.apply(v[0], v[1], 2, 1, 2, 1), x, blur);
        c.check("upfirdn2d per axis, cropping pad, of a transposed view",
                v -> Upfirdn2d.apply(Views.transpose(v[0], 2, 3), v[1], 1, 2, 2, 1, 1, -1, 2, 0), x, odd);
        DeviceChecks.on(device).tolerance(F32).secondOrder().constant(1).check("float32 upfirdn2d blur",
                v -> Upfirdn2d.apply(v[0], v[1], 1, 1, 2, 1), f32(x), f32(blur));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void minibatchStddevResizeAndAveragePooling(Device device) {
        DeviceChecks c = DeviceChecks.on(CudaDevices.require(device)).tolerance(F64);
        c.check("minibatch stddev, group of 3, 2 features", v -> MinibatchStd.apply(v[0], 4, 2), randn(60, 3, 4, 5, 3));
        c.check("minibatch stddev, batch 4 in groups of 2", v -> MinibatchStd.apply(v[0], 2, 1), randn(61, 4, 3, 1, 17));
        c.check("resize bilinear", v -> Resize.bilinear(v[0], 33, 5), randn(62, 2, 3, 17, 9));
        c.check("avg_pool2d", v -> Pooling.avgPool2d(v[0], 3, 2, 1), randn(64, 2, 3, 17, 17));
        c.check("avg_pool2d without padding counted", v -> Pooling.avgPool2dExcludePad(v[0], 3, 1, 1), randn(65, 1, 3, 17, 5));
        DeviceChecks.on(device).tolerance(F32).secondOrder().check("float32 minibatch stddev", v -> MinibatchStd.apply(v[0], 4, 1),
                f32(randn(66, 4, 3, 3, 5)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void viewsOfEveryKind(Device device) {
        DeviceChecks c = DeviceChecks.on(CudaDevices.require(device)).tolerance(F64).secondOrder();
        Tensor x = randn(70, 2, 3, 17, 5), y = randn(71, 2, 1, 17, 5);
        c.check("concat along 1 and 3", v -> Views.concat(3, Views.concat(1, v[0], v[1]), Views.concat(1, v[1], v[0])).mul(v[0].sum()), x, y);
        c.check("concat of transposed views along 0", v -> Views.concat(0, Views.transpose(v[0], 2, 3), Views.transpose(v[1], 2, 3)), x,
                y.expand(2, 3, 17, 5));
        c.check("permute, narrow, squeeze, unsqueeze",
                v -> Views.unsqueeze(Views.squeeze(Views.narrow(Views.permute(v[0], 3, 1, 0, 2), new int[] {1, 0, 1, 3}, new int[] {3, 3, 1, 13}), 2), 0)
                        .mul(Views.unsqueeze(Views.squeeze(v[1], 1), 0).sum()), x, y);
        c.check("sumTo and expand", v -> Views.sumTo(Views.expand(v[1], 2, 3, 17, 5).mul(v[0]), new int[] {1, 3, 1, 5}), x, y);
        c.check("reshape of a slice", v -> Views.reshape(Views.slice(v[0], 3, 1, 4), 6, -1).square(), x);
    }
}
