package org.stylemap.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MergedStridesTest {
    @Test
    void biasAgainstImagesBecomesRowsOfPlanes() {
        // out [2, 3, 4, 5] contiguous, bias [1, 3, 1, 1] broadcast to it.
        MergedStrides m = MergedStrides.of(new int[] {2, 3, 4, 5}, new long[] {60, 20, 5, 1}, new long[] {0, 1, 0, 0});
        assertArrayEquals(new int[] {2, 3, 20}, m.shape());
        assertArrayEquals(new long[] {60, 20, 1}, m.strides()[0]);
        assertArrayEquals(new long[] {0, 1, 0}, m.strides()[1]);
        assertEquals(1, m.inner(0));
        assertEquals(0, m.inner(1));
    }

    @Test
    void contiguousOperandsBecomeOneDimensionAndSizeOneDimensionsGo() {
        MergedStrides m = MergedStrides.of(new int[] {1, 3, 1, 4}, new long[] {12, 4, 4, 1}, new long[] {99, 4, 7, 1});
        assertArrayEquals(new int[] {12}, m.shape());
        assertArrayEquals(new long[] {1}, m.strides()[1]);
    }

    @Test
    void transposedOperandKeepsItsDimensions() {
        // [3, 4] contiguous against a [4, 3] tensor seen transposed.
        MergedStrides m = MergedStrides.of(new int[] {3, 4}, new long[] {4, 1}, new long[] {1, 3});
        assertArrayEquals(new int[] {3, 4}, m.shape());
        assertArrayEquals(new long[] {1, 3}, m.strides()[1]);
    }

    @Test
    void aSingleElementHasNoDimensionsAndInnerStrideOne() {
        MergedStrides m = MergedStrides.of(new int[] {1, 1}, new long[] {1, 1});
        assertEquals(0, m.rank());
        assertEquals(1, m.inner(0));
    }

    @Test
    void extentsPastIntegerRangeStayApart() {
        MergedStrides m = MergedStrides.of(new int[] {65536, 65536}, new long[] {65536, 1});
        assertArrayEquals(new int[] {65536, 65536}, m.shape());
    }
}
