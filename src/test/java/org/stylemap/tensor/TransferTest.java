package org.stylemap.tensor;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.stylemap.ops.Views;

/** Host transfers are typed (float[]/double[]/segments of the tensor's dtype) and each is one read or write. */
class TransferTest {
    @Test
    void floatAndDoubleArraysKeepOrConvertTheirValues() {
        float[] f = {0.1f, -2.5f, 1e30f, Float.MIN_VALUE};
        Tensor t32 = Tensor.of(DType.F32, Device.CPU, f, 2, 2);
        assertArrayEquals(f, t32.toFloatArray(), "float32 round trip is exact");
        Tensor t64 = Tensor.of(DType.F64, Device.CPU, f, 4);
        assertEquals((double) 0.1f, t64.toDoubleArray()[0], 0, "floats widen exactly into float64");
        double[] d = {0.1, 1.0 / 3};
        assertArrayEquals(new float[] {(float) 0.1, (float) (1.0 / 3)}, Tensor.of(DType.F32, Device.CPU, d, 2).toFloatArray());
        assertEquals(1.0 / 3, Tensor.of(DType.F64, Device.CPU, d, 2).toDoubleArray()[1], 0);
    }

    @Test
    void hostSegmentsMustHoldExactlyTheTensor() {
        MemorySegment eight = MemorySegment.ofArray(new float[8]);
        assertEquals(8, Tensor.fromHost(DType.F32, Device.CPU, eight, 2, 4).numel());
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.fromHost(DType.F64, Device.CPU, eight, 2, 4));
        assertTrue(e.getMessage().contains("do not hold"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(DType.F32, Device.CPU, new float[3], 2, 2));
    }

    @Test
    void stridedViewsReadInRowMajorOrder() {
        Tensor x = Tensor.of(DType.F32, Device.CPU, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor t = Views.transpose(x, 0, 1);
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, t.toFloatArray());
        assertArrayEquals(new double[] {2, 5}, Views.slice(t, 0, 1, 2).toDoubleArray());
    }

    @Test
    void everyHostReadIsCounted() {
        Tensor x = Tensor.of(DType.F32, Device.CPU, new float[] {1, 2}, 2);
        long before = Tensor.hostReads();
        x.toDoubleArray();
        x.toFloatArray();
        Views.slice(x, 0, 1, 2).item();
        assertEquals(3, Tensor.hostReads() - before);
    }

    @Test
    void movingToTheSameDeviceIsFree() {
        Tensor x = Tensor.zeros(DType.F32, Device.CPU, 3);
        assertSame(x, x.to(Device.CPU));
    }

    @Test
    void devicesParseAndPrint() {
        assertEquals(Device.CPU, Device.parse("cpu"));
        assertEquals(Device.cuda(0), Device.parse("cuda"));
        assertEquals(Device.cuda(2), Device.parse("CUDA:2"));
        assertEquals(Device.CUDA_EMU, Device.parse("cuda-emu"));
        for (Device d : new Device[] {Device.CPU, Device.cuda(1), Device.CUDA_EMU}) assertEquals(d, Device.parse(d.toString()));
        var e = assertThrows(IllegalArgumentException.class, () -> Device.parse("tpu"));
        assertTrue(e.getMessage().contains("expected cpu, cuda, cuda:N or cuda-emu"), e.getMessage());
    }
}
