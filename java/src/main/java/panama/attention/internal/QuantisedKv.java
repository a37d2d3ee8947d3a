package panama.attention.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import panama.attention.KvDtype;

/**
 * Keys and values stored in a type other than the queries' ({@link KvDtype} F16, BF16 or I8 for
 * F32 queries), as a {@link panama.attention.KvCache} holds them: raw segments with strides in
 * elements, since no {@link panama.attention.Tensor} dtype holds int8. I8 adds one fp32 scale per
 * (batch, kv head, key) for K and V, laid out alike ({@code scaleStrides}).
 *
 * @param kStrides batch, head and row strides of k in elements (the element stride is 1)
 * @param vStrides likewise for v
 * @param kScale I8 only (else null): fp32 scales of the keys
 * @param vScale I8 only (else null): fp32 scales of the values
 * @param scaleStrides I8 only: batch, head and row strides of both scale arrays in floats
 */
public record QuantisedKv(KvDtype dtype, long batch, long kvHeads, long seqK, long headDim,
                          MemorySegment k, MemorySegment v, long[] kStrides, long[] vStrides,
                          MemorySegment kScale, MemorySegment vScale, long[] scaleStrides) {

    /** Key element (b, h, j, c) as the kernels read it: widened and, for I8, multiplied by its scale. */
    public float key(long b, long h, long j, long c) {
        return element(k, kStrides, kScale, b, h, j, c);
    }

    /** Value element (b, h, j, c) as the kernels read it. */
    public float value(long b, long h, long j, long c) {
        return element(v, vStrides, vScale, b, h, j, c);
    }

    private float element(MemorySegment data, long[] strides, MemorySegment scales, long b, long h, long j, long c) {
        long index = b * strides[0] + h * strides[1] + j * strides[2] + c;
        if (dtype != KvDtype.I8) {
            return Elements.get(data, dtype.tensorDtype(), index);
        }
        float scale = scales.getAtIndex(ValueLayout.JAVA_FLOAT, b * scaleStrides[0] + h * scaleStrides[1] + j * scaleStrides[2]);
        return data.get(ValueLayout.JAVA_BYTE, index) * scale;
    }
}
