package panama.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

class TensorTest {
    @Test
    void bshdViewAddressesInterleavedStorageWithoutCopying() {
        try (Arena a = Arena.ofConfined()) {
            int b = 2, s = 3, h = 4, d = 5;
            float[] data = new float[b * s * h * d];
            for (int i = 0; i < data.length; i++) {
                data[i] = i;
            }
            Tensor storage = Tensor.fromFloats(a, DType.F32, data, b, s, h, d);
            Tensor view = Tensor.bshd(storage.segment(), DType.F32, b, s, h, d);
            assertArrayEquals(new long[] {b, h, s, d}, view.shape());
            for (int bi = 0; bi < b; bi++) {
                for (int si = 0; si < s; si++) {
                    for (int hi = 0; hi < h; hi++) {
                        for (int di = 0; di < d; di++) {
                            assertEquals(storage.get(bi, si, hi, di), view.get(bi, hi, si, di));
                        }
                    }
                }
            }
            assertEquals(view.toFloatArray().length, data.length);
            // the same view through transpose
            assertArrayEquals(view.toFloatArray(), storage.transpose(1, 2).toFloatArray());
        }
    }

    @Test
    void narrowAndOffsetsStayInsideTheSegment() {
        try (Arena a = Arena.ofConfined()) {
            Tensor t = Tensor.allocate(a, DType.F32, 2, 3, 4);
            for (int i = 0; i < 24; i++) {
                t.segment().setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, i);
            }
            Tensor n = t.narrow(1, 1, 2);
            assertArrayEquals(new long[] {2, 2, 4}, n.shape());
            assertEquals(4f, n.get(0, 0, 0));
            assertEquals(23f, n.get(1, 1, 3));
            assertThrows(IndexOutOfBoundsException.class, () -> t.narrow(1, 2, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> n.get(0, 2, 0));
        }
    }

    @Test
    void halfPrecisionRoundsToNearestEven() {
        try (Arena a = Arena.ofConfined()) {
            Tensor h = Tensor.fromFloats(a, DType.F16, new float[] {1f, 1.0004883f, 65504f, 1e-8f}, 4);
            assertEquals(1f, h.get(0));
            assertEquals(1f, h.get(1)); // halfway between 1 and 1+2^-10 rounds to even
            assertEquals(65504f, h.get(2));
            Tensor bf = Tensor.fromFloats(a, DType.BF16, new float[] {1f, 1.00390625f, 3.0e38f, Float.NaN}, 4);
            assertEquals(1f, bf.get(0));
            assertEquals(1f, bf.get(1)); // halfway between 1 and 1+2^-7 rounds to even
            assertEquals(3.0e38f, bf.get(2), 3.0e38f * 0.004f);
            assertEquals(Float.NaN, bf.get(3));
        }
    }
}
