package panama.attention.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import panama.attention.DType;

/** Reads and writes one element of any {@link DType} as float; unaligned-safe. */
public final class Elements {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    private Elements() {
    }

    /** The element at {@code index} (in elements from the segment's start). */
    public static float get(MemorySegment segment, DType dtype, long index) {
        return switch (dtype) {
            case F32 -> segment.get(F32, index * 4);
            case F16 -> Float.float16ToFloat(segment.get(U16, index * 2));
            case BF16 -> bf16ToFloat(segment.get(U16, index * 2));
        };
    }

    /** Writes {@code value} rounded to nearest even at {@code index}. */
    public static void set(MemorySegment segment, DType dtype, long index, float value) {
        switch (dtype) {
            case F32 -> segment.set(F32, index * 4, value);
            case F16 -> segment.set(U16, index * 2, Float.floatToFloat16(value));
            case BF16 -> segment.set(U16, index * 2, floatToBf16(value));
        }
    }

    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** Round to nearest even; NaN stays a (quiet) NaN. */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** Rounds a float to the precision of dtype (what storing and loading it would give). */
    public static float round(DType dtype, float value) {
        return switch (dtype) {
            case F32 -> value;
            case F16 -> Float.float16ToFloat(Float.floatToFloat16(value));
            case BF16 -> bf16ToFloat(floatToBf16(value));
        };
    }
}
