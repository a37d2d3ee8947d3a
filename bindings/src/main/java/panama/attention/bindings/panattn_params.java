// Written by hand in the shape jextract 22+ generates for native/include/panattn.h: not generated here.
// bindings/jextract.sh regenerates it where jextract is installed; BindingsDriftTest fails
// when it disagrees with the C side (functions, descriptors, structs, constants).

package panama.attention.bindings;

import java.lang.invoke.*;
import java.lang.foreign.*;
import java.nio.ByteOrder;
import java.util.*;
import java.util.function.*;
import java.util.stream.*;

import static java.lang.foreign.ValueLayout.*;
import static java.lang.foreign.MemoryLayout.PathElement.*;

/**
 * {@snippet lang=c :
 * struct panattn_params {
 *     const void *q;
 *     const void *k;
 *     const void *v;
 *     void *out;
 *     float *lse;
 *     const float *mask;
 *     const int32_t *key_lengths;
 *     int64_t batch;
 *     int64_t heads;
 *     int64_t kv_heads;
 *     int64_t seq_q;
 *     int64_t seq_k;
 *     int64_t head_dim;
 *     int64_t q_batch_stride;
 *     int64_t q_head_stride;
 *     int64_t q_row_stride;
 *     int64_t k_batch_stride;
 *     int64_t k_head_stride;
 *     int64_t k_row_stride;
 *     int64_t v_batch_stride;
 *     int64_t v_head_stride;
 *     int64_t v_row_stride;
 *     int64_t out_batch_stride;
 *     int64_t out_head_stride;
 *     int64_t out_row_stride;
 *     int64_t lse_batch_stride;
 *     int64_t lse_head_stride;
 *     int64_t mask_batch_stride;
 *     int64_t mask_head_stride;
 *     int64_t mask_row_stride;
 *     float softmax_scale;
 *     int32_t causal;
 *     int32_t dtype;
 *     int32_t isa;
 *     const float *alibi_slopes;
 *     int64_t window_left;
 *     int64_t window_right;
 *     float softcap;
 *     int32_t window;
 *     const int32_t *cu_seqlens_q;
 *     const int32_t *cu_seqlens_k;
 *     const int32_t *block_table;
 *     int64_t block_table_stride;
 *     int64_t max_blocks_per_seq;
 *     int64_t block_size;
 *     int64_t num_blocks;
 *     int64_t kv_dtype;
 *     const float *k_scale;
 *     const float *v_scale;
 *     int64_t k_scale_batch_stride;
 *     int64_t k_scale_head_stride;
 *     int64_t k_scale_row_stride;
 *     int64_t v_scale_batch_stride;
 *     int64_t v_scale_head_stride;
 *     int64_t v_scale_row_stride;
 *     int64_t weights;
 * }
 * }
 */
public class panattn_params {

    panattn_params() {
        // Should not be called directly
    }

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
        panattn_h.C_POINTER.withName("q"),
        panattn_h.C_POINTER.withName("k"),
        panattn_h.C_POINTER.withName("v"),
        panattn_h.C_POINTER.withName("out"),
        panattn_h.C_POINTER.withName("lse"),
        panattn_h.C_POINTER.withName("mask"),
        panattn_h.C_POINTER.withName("key_lengths"),
        panattn_h.C_LONG.withName("batch"),
        panattn_h.C_LONG.withName("heads"),
        panattn_h.C_LONG.withName("kv_heads"),
        panattn_h.C_LONG.withName("seq_q"),
        panattn_h.C_LONG.withName("seq_k"),
        panattn_h.C_LONG.withName("head_dim"),
        panattn_h.C_LONG.withName("q_batch_stride"),
        panattn_h.C_LONG.withName("q_head_stride"),
        panattn_h.C_LONG.withName("q_row_stride"),
        panattn_h.C_LONG.withName("k_batch_stride"),
        panattn_h.C_LONG.withName("k_head_stride"),
        panattn_h.C_LONG.withName("k_row_stride"),
        panattn_h.C_LONG.withName("v_batch_stride"),
        panattn_h.C_LONG.withName("v_head_stride"),
        panattn_h.C_LONG.withName("v_row_stride"),
        panattn_h.C_LONG.withName("out_batch_stride"),
        panattn_h.C_LONG.withName("out_head_stride"),
        panattn_h.C_LONG.withName("out_row_stride"),
        panattn_h.C_LONG.withName("lse_batch_stride"),
        panattn_h.C_LONG.withName("lse_head_stride"),
        panattn_h.C_LONG.withName("mask_batch_stride"),
        panattn_h.C_LONG.withName("mask_head_stride"),
        panattn_h.C_LONG.withName("mask_row_stride"),
        panattn_h.C_FLOAT.withName("softmax_scale"),
        panattn_h.C_INT.withName("causal"),
        panattn_h.C_INT.withName("dtype"),
        panattn_h.C_INT.withName("isa"),
        panattn_h.C_POINTER.withName("alibi_slopes"),
        panattn_h.C_LONG.withName("window_left"),
        panattn_h.C_LONG.withName("window_right"),
        panattn_h.C_FLOAT.withName("softcap"),
        panattn_h.C_INT.withName("window"),
        panattn_h.C_POINTER.withName("cu_seqlens_q"),
        panattn_h.C_POINTER.withName("cu_seqlens_k"),
        panattn_h.C_POINTER.withName("block_table"),
        panattn_h.C_LONG.withName("block_table_stride"),
        panattn_h.C_LONG.withName("max_blocks_per_seq"),
        panattn_h.C_LONG.withName("block_size"),
        panattn_h.C_LONG.withName("num_blocks"),
        panattn_h.C_LONG.withName("kv_dtype"),
        panattn_h.C_POINTER.withName("k_scale"),
        panattn_h.C_POINTER.withName("v_scale"),
        panattn_h.C_LONG.withName("k_scale_batch_stride"),
        panattn_h.C_LONG.withName("k_scale_head_stride"),
        panattn_h.C_LONG.withName("k_scale_row_stride"),
        panattn_h.C_LONG.withName("v_scale_batch_stride"),
        panattn_h.C_LONG.withName("v_scale_head_stride"),
        panattn_h.C_LONG.withName("v_scale_row_stride"),
        panattn_h.C_LONG.withName("weights")
    ).withName("panattn_params");

    /**
     * The layout of this struct
     */
    public static final GroupLayout layout() {
        return $LAYOUT;
    }

    private static final AddressLayout q$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("q"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * const void *q
     * }
     */
    public static final AddressLayout q$layout() {
        return q$LAYOUT;
    }

    private static final long q$OFFSET = $LAYOUT.byteOffset(groupElement("q"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * const void *q
     * }
     */
    public static final long q$offset() {
        return q$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * const void *q
     * }
     */
    public static MemorySegment q(MemorySegment struct) {
        return struct.get(q$LAYOUT, q$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * const void *q
     * }
     */
    public static void q(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(q$LAYOUT, q$OFFSET, fieldValue);
    }

    private static final AddressLayout k$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("k"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * const void *k
     * }
     */
    public static final AddressLayout k$layout() {
        return k$LAYOUT;
    }

    private static final long k$OFFSET = $LAYOUT.byteOffset(groupElement("k"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * const void *k
     * }
     */
    public static final long k$offset() {
        return k$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * const void *k
     * }
     */
    public static MemorySegment k(MemorySegment struct) {
        return struct.get(k$LAYOUT, k$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * const void *k
     * }
     */
    public static void k(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(k$LAYOUT, k$OFFSET, fieldValue);
    }

    private static final AddressLayout v$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("v"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * const void *v
     * }
     */
    public static final AddressLayout v$layout() {
        return v$LAYOUT;
    }

    private static final long v$OFFSET = $LAYOUT.byteOffset(groupElement("v"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * const void *v
     * }
     */
    public static final long v$offset() {
        return v$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * const void *v
     * }
     */
    public static MemorySegment v(MemorySegment struct) {
        return struct.get(v$LAYOUT, v$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * const void *v
     * }
     */
    public static void v(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(v$LAYOUT, v$OFFSET, fieldValue);
    }

    private static final AddressLayout out$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("out"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * void *out
     * }
     */
    public static final AddressLayout out$layout() {
        return out$LAYOUT;
    }

    private static final long out$OFFSET = $LAYOUT.byteOffset(groupElement("out"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * void *out
     * }
     */
    public static final long out$offset() {
        return out$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * void *out
     * }
     */
    public static MemorySegment out(MemorySegment struct) {
        return struct.get(out$LAYOUT, out$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * void *out
     * }
     */
    public static void out(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(out$LAYOUT, out$OFFSET, fieldValue);
    }

    private static final AddressLayout lse$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("lse"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * float *lse
     * }
     */
    public static final AddressLayout lse$layout() {
        return lse$LAYOUT;
    }

    private static final long lse$OFFSET = $LAYOUT.byteOffset(groupElement("lse"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * float *lse
     * }
     */
    public static final long lse$offset() {
        return lse$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * float *lse
     * }
     */
    public static MemorySegment lse(MemorySegment struct) {
        return struct.get(lse$LAYOUT, lse$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * float *lse
     * }
     */
    public static void lse(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(lse$LAYOUT, lse$OFFSET, fieldValue);
    }

    private static final AddressLayout mask$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("mask"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * const float *mask
     * }
     */
    public static final AddressLayout mask$layout() {
        return mask$LAYOUT;
    }

    private static final long mask$OFFSET = $LAYOUT.byteOffset(groupElement("mask"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * const float *mask
     * }
     */
    public static final long mask$offset() {
        return mask$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * const float *mask
     * }
     */
    public static MemorySegment mask(MemorySegment struct) {
        return struct.get(mask$LAYOUT, mask$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * const float *mask
     * }
     */
    public static void mask(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(mask$LAYOUT, mask$OFFSET, fieldValue);
    }

    private static final AddressLayout key_lengths$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("key_lengths"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * const int32_t *key_lengths
     * }
     */
    public static final AddressLayout key_lengths$layout() {
        return key_lengths$LAYOUT;
    }

    private static final long key_lengths$OFFSET = $LAYOUT.byteOffset(groupElement("key_lengths"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * const int32_t *key_lengths
     * }
     */
    public static final long key_lengths$offset() {
        return key_lengths$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * const int32_t *key_lengths
     * }
     */
    public static MemorySegment key_lengths(MemorySegment struct) {
        return struct.get(key_lengths$LAYOUT, key_lengths$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * const int32_t *key_lengths
     * }
     */
    public static void key_lengths(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(key_lengths$LAYOUT, key_lengths$OFFSET, fieldValue);
    }

    private static final OfLong batch$LAYOUT = (OfLong)$LAYOUT.select(groupElement("batch"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t batch
     * }
     */
    public static final OfLong batch$layout() {
        return batch$LAYOUT;
    }

    private static final long batch$OFFSET = $LAYOUT.byteOffset(groupElement("batch"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t batch
     * }
     */
    public static final long batch$offset() {
        return batch$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t batch
     * }
     */
    public static long batch(MemorySegment struct) {
        return struct.get(batch$LAYOUT, batch$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t batch
     * }
     */
    public static void batch(MemorySegment struct, long fieldValue) {
        struct.set(batch$LAYOUT, batch$OFFSET, fieldValue);
    }

    private static final OfLong heads$LAYOUT = (OfLong)$LAYOUT.select(groupElement("heads"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t heads
     * }
     */
    public static final OfLong heads$layout() {
        return heads$LAYOUT;
    }

    private static final long heads$OFFSET = $LAYOUT.byteOffset(groupElement("heads"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t heads
     * }
     */
    public static final long heads$offset() {
        return heads$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t heads
     * }
     */
    public static long heads(MemorySegment struct) {
        return struct.get(heads$LAYOUT, heads$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t heads
     * }
     */
    public static void heads(MemorySegment struct, long fieldValue) {
        struct.set(heads$LAYOUT, heads$OFFSET, fieldValue);
    }

    private static final OfLong kv_heads$LAYOUT = (OfLong)$LAYOUT.select(groupElement("kv_heads"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t kv_heads
     * }
     */
    public static final OfLong kv_heads$layout() {
        return kv_heads$LAYOUT;
    }

    private static final long kv_heads$OFFSET = $LAYOUT.byteOffset(groupElement("kv_heads"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t kv_heads
     * }
     */
    public static final long kv_heads$offset() {
        return kv_heads$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t kv_heads
     * }
     */
    public static long kv_heads(MemorySegment struct) {
        return struct.get(kv_heads$LAYOUT, kv_heads$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t kv_heads
     * }
     */
    public static void kv_heads(MemorySegment struct, long fieldValue) {
        struct.set(kv_heads$LAYOUT, kv_heads$OFFSET, fieldValue);
    }

    private static final OfLong seq_q$LAYOUT = (OfLong)$LAYOUT.select(groupElement("seq_q"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t seq_q
     * }
     */
    public static final OfLong seq_q$layout() {
        return seq_q$LAYOUT;
    }

    private static final long seq_q$OFFSET = $LAYOUT.byteOffset(groupElement("seq_q"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t seq_q
     * }
     */
    public static final long seq_q$offset() {
        return seq_q$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t seq_q
     * }
     */
    public static long seq_q(MemorySegment struct) {
        return struct.get(seq_q$LAYOUT, seq_q$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t seq_q
     * }
     */
    public static void seq_q(MemorySegment struct, long fieldValue) {
        struct.set(seq_q$LAYOUT, seq_q$OFFSET, fieldValue);
    }

    private static final OfLong seq_k$LAYOUT = (OfLong)$LAYOUT.select(groupElement("seq_k"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t seq_k
     * }
     */
    public static final OfLong seq_k$layout() {
        return seq_k$LAYOUT;
    }

    private static final long seq_k$OFFSET = $LAYOUT.byteOffset(groupElement("seq_k"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t seq_k
     * }
     */
    public static final long seq_k$offset() {
        return seq_k$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t seq_k
     * }
     */
    public static long seq_k(MemorySegment struct) {
        return struct.get(seq_k$LAYOUT, seq_k$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t seq_k
     * }
     */
    public static void seq_k(MemorySegment struct, long fieldValue) {
        struct.set(seq_k$LAYOUT, seq_k$OFFSET, fieldValue);
    }

    private static final OfLong head_dim$LAYOUT = (OfLong)$LAYOUT.select(groupElement("head_dim"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t head_dim
     * }
     */
    public static final OfLong head_dim$layout() {
        return head_dim$LAYOUT;
    }

    private static final long head_dim$OFFSET = $LAYOUT.byteOffset(groupElement("head_dim"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t head_dim
     * }
     */
    public static final long head_dim$offset() {
        return head_dim$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t head_dim
     * }
     */
    public static long head_dim(MemorySegment struct) {
        return struct.get(head_dim$LAYOUT, head_dim$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t head_dim
     * }
     */
    public static void head_dim(MemorySegment struct, long fieldValue) {
        struct.set(head_dim$LAYOUT, head_dim$OFFSET, fieldValue);
    }

    private static final OfLong q_batch_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("q_batch_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t q_batch_stride
     * }
     */
    public static final OfLong q_batch_stride$layout() {
        return q_batch_stride$LAYOUT;
    }

    private static final long q_batch_stride$OFFSET = $LAYOUT.byteOffset(groupElement("q_batch_stride"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t q_batch_stride
     * }
     */
    public static final long q_batch_stride$offset() {
        return q_batch_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t q_batch_stride
     * }
     */
    public static long q_batch_stride(MemorySegment struct) {
        return struct.get(q_batch_stride$LAYOUT, q_batch_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t q_batch_stride
     * }
     */
    public static void q_batch_stride(MemorySegment struct, long fieldValue) {
        struct.set(q_batch_stride$LAYOUT, q_batch_stride$OFFSET, fieldValue);
    }

    private static final OfLong q_head_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("q_head_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t q_head_stride
     * }
     */
    public static final OfLong q_head_stride$layout() {
        return q_head_stride$LAYOUT;
    }

    private static final long q_head_stride$OFFSET = $LAYOUT.byteOffset(groupElement("q_head_stride"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t q_head_stride
     * }
     */
    public static final long q_head_stride$offset() {
        return q_head_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t q_head_stride
     * }
     */
    public static long q_head_stride(MemorySegment struct) {
        return struct.get(q_head_stride$LAYOUT, q_head_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t q_head_stride
     * }
     */
    public static void q_head_stride(MemorySegment struct, long fieldValue) {
        struct.set(q_head_stride$LAYOUT, q_head_stride$OFFSET, fieldValue);
    }

    private static final OfLong q_row_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("q_row_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t q_row_stride
     * }
     */
    public static final OfLong q_row_stride$layout() {
        return q_row_stride$LAYOUT;
    }

    private static final long q_row_stride$OFFSET = $LAYOUT.byteOffset(groupElement("q_row_stride"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t q_row_stride
     * }
     */
    public static final long q_row_stride$offset() {
        return q_row_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t q_row_stride
     * }
     */
    public static long q_row_stride(MemorySegment struct) {
        return struct.get(q_row_stride$LAYOUT, q_row_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t q_row_stride
     * }
     */
    public static void q_row_stride(MemorySegment struct, long fieldValue) {
        struct.set(q_row_stride$LAYOUT, q_row_stride$OFFSET, fieldValue);
    }

    private static final OfLong k_batch_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("k_batch_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t k_batch_stride
     * }
     */
    public static final OfLong k_batch_stride$layout() {
        return k_batch_stride$LAYOUT;
    }

    private static final long k_batch_stride$OFFSET = $LAYOUT.byteOffset(groupElement("k_batch_stride"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t k_batch_stride
     * }
     */
    public static final long k_batch_stride$offset() {
        return k_batch_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t k_batch_stride
     * }
     */
    public static long k_batch_stride(MemorySegment struct) {
        return struct.get(k_batch_stride$LAYOUT, k_batch_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t k_batch_stride
     * }
     */
    public static void k_batch_stride(MemorySegment struct, long fieldValue) {
        struct.set(k_batch_stride$LAYOUT, k_batch_stride$OFFSET, fieldValue);
    }

    private static final OfLong k_head_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("k_head_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t k_head_stride
     * }
     */
    public static final OfLong k_head_stride$layout() {
        return k_head_stride$LAYOUT;
    }

    private static final long k_head_stride$OFFSET = $LAYOUT.byteOffset(groupElement("k_head_stride"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t k_head_stride
     * }
     */
    public static final long k_head_stride$offset() {
        return k_head_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t k_head_stride
     * }
     */
    public static long k_head_stride(MemorySegment struct) {
        return struct.get(k_head_stride$LAYOUT, k_head_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t k_head_stride
     * }
     */
    public static void k_head_stride(MemorySegment struct, long fieldValue) {
        struct.set(k_head_stride$LAYOUT, k_head_stride$OFFSET, fieldValue);
    }

    private static final OfLong k_row_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("k_row_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t k_row_stride
     * }
     */
    public static final OfLong k_row_stride$layout() {
        return k_row_stride$LAYOUT;
    }

    private static final long k_row_stride$OFFSET = $LAYOUT.byteOffset(groupElement("k_row_stride"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t k_row_stride
     * }
     */
    public static final long k_row_stride$offset() {
        return k_row_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t k_row_stride
     * }
     */
    public static long k_row_stride(MemorySegment struct) {
        return struct.get(k_row_stride$LAYOUT, k_row_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t k_row_stride
     * }
     */
    public static void k_row_stride(MemorySegment struct, long fieldValue) {
        struct.set(k_row_stride$LAYOUT, k_row_stride$OFFSET, fieldValue);
    }

    private static final OfLong v_batch_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("v_batch_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t v_batch_stride
     * }
     */
    public static final OfLong v_batch_stride$layout() {
        return v_batch_stride$LAYOUT;
    }

    private static final long v_batch_stride$OFFSET = $LAYOUT.byteOffset(groupElement("v_batch_stride"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t v_batch_stride
     * }
     */
    public static final long v_batch_stride$offset() {
        return v_batch_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t v_batch_stride
     * }
     */
    public static long v_batch_stride(MemorySegment struct) {
        return struct.get(v_batch_stride$LAYOUT, v_batch_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t v_batch_stride
     * }
     */
    public static void v_batch_stride(MemorySegment struct, long fieldValue) {
        struct.set(v_batch_stride$LAYOUT, v_batch_stride$OFFSET, fieldValue);
    }

    private static final OfLong v_head_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("v_head_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t v_head_stride
     * }
     */
    public static final OfLong v_head_stride$layout() {
        return v_head_stride$LAYOUT;
    }

    private static final long v_head_stride$OFFSET = $LAYOUT.byteOffset(groupElement("v_head_stride"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t v_head_stride
     * }
     */
    public static final long v_head_stride$offset() {
        return v_head_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t v_head_stride
     * }
     */
    public static long v_head_stride(MemorySegment struct) {
        return struct.get(v_head_stride$LAYOUT, v_head_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t v_head_stride
     * }
     */
    public static void v_head_stride(MemorySegment struct, long fieldValue) {
        struct.set(v_head_stride$LAYOUT, v_head_stride$OFFSET, fieldValue);
    }

    private static final OfLong v_row_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("v_row_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t v_row_stride
     * }
     */
    public static final OfLong v_row_stride$layout() {
        return v_row_stride$LAYOUT;
    }

    private static final long v_row_stride$OFFSET = $LAYOUT.byteOffset(groupElement("v_row_stride"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t v_row_stride
     * }
     */
    public static final long v_row_stride$offset() {
        return v_row_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t v_row_stride
     * }
     */
    public static long v_row_stride(MemorySegment struct) {
        return struct.get(v_row_stride$LAYOUT, v_row_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t v_row_stride
     * }
     */
    public static void v_row_stride(MemorySegment struct, long fieldValue) {
        struct.set(v_row_stride$LAYOUT, v_row_stride$OFFSET, fieldValue);
    }

    private static final OfLong out_batch_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("out_batch_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t out_batch_stride
     * }
     */
    public static final OfLong out_batch_stride$layout() {
        return out_batch_stride$LAYOUT;
    }

    private static final long out_batch_stride$OFFSET = $LAYOUT.byteOffset(groupElement("out_batch_stride"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t out_batch_stride
     * }
     */
    public static final long out_batch_stride$offset() {
        return out_batch_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t out_batch_stride
     * }
     */
    public static long out_batch_stride(MemorySegment struct) {
        return struct.get(out_batch_stride$LAYOUT, out_batch_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t out_batch_stride
     * }
     */
    public static void out_batch_stride(MemorySegment struct, long fieldValue) {
        struct.set(out_batch_stride$LAYOUT, out_batch_stride$OFFSET, fieldValue);
    }

    private static final OfLong out_head_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("out_head_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t out_head_stride
     * }
     */
    public static final OfLong out_head_stride$layout() {
        return out_head_stride$LAYOUT;
    }

    private static final long out_head_stride$OFFSET = $LAYOUT.byteOffset(groupElement("out_head_stride"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t out_head_stride
     * }
     */
    public static final long out_head_stride$offset() {
        return out_head_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t out_head_stride
     * }
     */
    public static long out_head_stride(MemorySegment struct) {
        return struct.get(out_head_stride$LAYOUT, out_head_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t out_head_stride
     * }
     */
    public static void out_head_stride(MemorySegment struct, long fieldValue) {
        struct.set(out_head_stride$LAYOUT, out_head_stride$OFFSET, fieldValue);
    }

    private static final OfLong out_row_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("out_row_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t out_row_stride
     * }
     */
    public static final OfLong out_row_stride$layout() {
        return out_row_stride$LAYOUT;
    }

    private static final long out_row_stride$OFFSET = $LAYOUT.byteOffset(groupElement("out_row_stride"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t out_row_stride
     * }
     */
    public static final long out_row_stride$offset() {
        return out_row_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t out_row_stride
     * }
     */
    public static long out_row_stride(MemorySegment struct) {
        return struct.get(out_row_stride$LAYOUT, out_row_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t out_row_stride
     * }
     */
    public static void out_row_stride(MemorySegment struct, long fieldValue) {
        struct.set(out_row_stride$LAYOUT, out_row_stride$OFFSET, fieldValue);
    }

    private static final OfLong lse_batch_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("lse_batch_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t lse_batch_stride
     * }
     */
    public static final OfLong lse_batch_stride$layout() {
        return lse_batch_stride$LAYOUT;
    }

    private static final long lse_batch_stride$OFFSET = $LAYOUT.byteOffset(groupElement("lse_batch_stride"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t lse_batch_stride
     * }
     */
    public static final long lse_batch_stride$offset() {
        return lse_batch_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t lse_batch_stride
     * }
     */
    public static long lse_batch_stride(MemorySegment struct) {
        return struct.get(lse_batch_stride$LAYOUT, lse_batch_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t lse_batch_stride
     * }
     */
    public static void lse_batch_stride(MemorySegment struct, long fieldValue) {
        struct.set(lse_batch_stride$LAYOUT, lse_batch_stride$OFFSET, fieldValue);
    }

    private static final OfLong lse_head_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("lse_head_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t lse_head_stride
     * }
     */
    public static final OfLong lse_head_stride$layout() {
        return lse_head_stride$LAYOUT;
    }

    private static final long lse_head_stride$OFFSET = $LAYOUT.byteOffset(groupElement("lse_head_stride"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t lse_head_stride
     * }
     */
    public static final long lse_head_stride$offset() {
        return lse_head_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t lse_head_stride
     * }
     */
    public static long lse_head_stride(MemorySegment struct) {
        return struct.get(lse_head_stride$LAYOUT, lse_head_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t lse_head_stride
     * }
     */
    public static void lse_head_stride(MemorySegment struct, long fieldValue) {
        struct.set(lse_head_stride$LAYOUT, lse_head_stride$OFFSET, fieldValue);
    }

    private static final OfLong mask_batch_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("mask_batch_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t mask_batch_stride
     * }
     */
    public static final OfLong mask_batch_stride$layout() {
        return mask_batch_stride$LAYOUT;
    }

    private static final long mask_batch_stride$OFFSET = $LAYOUT.byteOffset(groupElement("mask_batch_stride"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t mask_batch_stride
     * }
     */
    public static final long mask_batch_stride$offset() {
        return mask_batch_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t mask_batch_stride
     * }
     */
    public static long mask_batch_stride(MemorySegment struct) {
        return struct.get(mask_batch_stride$LAYOUT, mask_batch_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t mask_batch_stride
     * }
     */
    public static void mask_batch_stride(MemorySegment struct, long fieldValue) {
        struct.set(mask_batch_stride$LAYOUT, mask_batch_stride$OFFSET, fieldValue);
    }

    private static final OfLong mask_head_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("mask_head_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t mask_head_stride
     * }
     */
    public static final OfLong mask_head_stride$layout() {
        return mask_head_stride$LAYOUT;
    }

    private static final long mask_head_stride$OFFSET = $LAYOUT.byteOffset(groupElement("mask_head_stride"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t mask_head_stride
     * }
     */
    public static final long mask_head_stride$offset() {
        return mask_head_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t mask_head_stride
     * }
     */
    public static long mask_head_stride(MemorySegment struct) {
        return struct.get(mask_head_stride$LAYOUT, mask_head_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t mask_head_stride
     * }
     */
    public static void mask_head_stride(MemorySegment struct, long fieldValue) {
        struct.set(mask_head_stride$LAYOUT, mask_head_stride$OFFSET, fieldValue);
    }

    private static final OfLong mask_row_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("mask_row_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t mask_row_stride
     * }
     */
    public static final OfLong mask_row_stride$layout() {
        return mask_row_stride$LAYOUT;
    }

    private static final long mask_row_stride$OFFSET = $LAYOUT.byteOffset(groupElement("mask_row_stride"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t mask_row_stride
     * }
     */
    public static final long mask_row_stride$offset() {
        return mask_row_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t mask_row_stride
     * }
     */
    public static long mask_row_stride(MemorySegment struct) {
        return struct.get(mask_row_stride$LAYOUT, mask_row_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t mask_row_stride
     * }
     */
    public static void mask_row_stride(MemorySegment struct, long fieldValue) {
        struct.set(mask_row_stride$LAYOUT, mask_row_stride$OFFSET, fieldValue);
    }

    private static final OfFloat softmax_scale$LAYOUT = (OfFloat)$LAYOUT.select(groupElement("softmax_scale"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * float softmax_scale
     * }
     */
    public static final OfFloat softmax_scale$layout() {
        return softmax_scale$LAYOUT;
    }

    private static final long softmax_scale$OFFSET = $LAYOUT.byteOffset(groupElement("softmax_scale"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * float softmax_scale
     * }
     */
    public static final long softmax_scale$offset() {
        return softmax_scale$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * float softmax_scale
     * }
     */
    public static float softmax_scale(MemorySegment struct) {
        return struct.get(softmax_scale$LAYOUT, softmax_scale$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * float softmax_scale
     * }
     */
    public static void softmax_scale(MemorySegment struct, float fieldValue) {
        struct.set(softmax_scale$LAYOUT, softmax_scale$OFFSET, fieldValue);
    }

    private static final OfInt causal$LAYOUT = (OfInt)$LAYOUT.select(groupElement("causal"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t causal
     * }
     */
    public static final OfInt causal$layout() {
        return causal$LAYOUT;
    }

    private static final long causal$OFFSET = $LAYOUT.byteOffset(groupElement("causal"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t causal
     * }
     */
    public static final long causal$offset() {
        return causal$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t causal
     * }
     */
    public static int causal(MemorySegment struct) {
        return struct.get(causal$LAYOUT, causal$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t causal
     * }
     */
    public static void causal(MemorySegment struct, int fieldValue) {
        struct.set(causal$LAYOUT, causal$OFFSET, fieldValue);
    }

    private static final OfInt dtype$LAYOUT = (OfInt)$LAYOUT.select(groupElement("dtype"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t dtype
     * }
     */
    public static final OfInt dtype$layout() {
        return dtype$LAYOUT;
    }

    private static final long dtype$OFFSET = $LAYOUT.byteOffset(groupElement("dtype"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t dtype
     * }
     */
    public static final long dtype$offset() {
        return dtype$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t dtype
     * }
     */
    public static int dtype(MemorySegment struct) {
        return struct.get(dtype$LAYOUT, dtype$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t dtype
     * }
     */
    public static void dtype(MemorySegment struct, int fieldValue) {
        struct.set(dtype$LAYOUT, dtype$OFFSET, fieldValue);
    }

    private static final OfInt isa$LAYOUT = (OfInt)$LAYOUT.select(groupElement("isa"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t isa
     * }
     */
    public static final OfInt isa$layout() {
        return isa$LAYOUT;
    }

    private static final long isa$OFFSET = $LAYOUT.byteOffset(groupElement("isa"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t isa
     * }
     */
    public static final long isa$offset() {
        return isa$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t isa
     * }
     */
    public static int isa(MemorySegment struct) {
        return struct.get(isa$LAYOUT, isa$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t isa
     * }
     */
    public static void isa(MemorySegment struct, int fieldValue) {
        struct.set(isa$LAYOUT, isa$OFFSET, fieldValue);
    }

    private static final AddressLayout alibi_slopes$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("alibi_slopes"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * const float *alibi_slopes
     * }
     */
    public static final AddressLayout alibi_slopes$layout() {
        return alibi_slopes$LAYOUT;
    }

    private static final long alibi_slopes$OFFSET = $LAYOUT.byteOffset(groupElement("alibi_slopes"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * const float *alibi_slopes
     * }
     */
    public static final long alibi_slopes$offset() {
        return alibi_slopes$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * const float *alibi_slopes
     * }
     */
    public static MemorySegment alibi_slopes(MemorySegment struct) {
        return struct.get(alibi_slopes$LAYOUT, alibi_slopes$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * const float *alibi_slopes
     * }
     */
    public static void alibi_slopes(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(alibi_slopes$LAYOUT, alibi_slopes$OFFSET, fieldValue);
    }

    private static final OfLong window_left$LAYOUT = (OfLong)$LAYOUT.select(groupElement("window_left"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t window_left
     * }
     */
    public static final OfLong window_left$layout() {
        return window_left$LAYOUT;
    }

    private static final long window_left$OFFSET = $LAYOUT.byteOffset(groupElement("window_left"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t window_left
     * }
     */
    public static final long window_left$offset() {
        return window_left$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t window_left
     * }
     */
    public static long window_left(MemorySegment struct) {
        return struct.get(window_left$LAYOUT, window_left$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t window_left
     * }
     */
    public static void window_left(MemorySegment struct, long fieldValue) {
        struct.set(window_left$LAYOUT, window_left$OFFSET, fieldValue);
    }

    private static final OfLong window_right$LAYOUT = (OfLong)$LAYOUT.select(groupElement("window_right"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t window_right
     * }
     */
    public static final OfLong window_right$layout() {
        return window_right$LAYOUT;
    }

    private static final long window_right$OFFSET = $LAYOUT.byteOffset(groupElement("window_right"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t window_right
     * }
     */
    public static final long window_right$offset() {
        return window_right$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t window_right
     * }
     */
    public static long window_right(MemorySegment struct) {
        return struct.get(window_right$LAYOUT, window_right$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t window_right
     * }
     */
    public static void window_right(MemorySegment struct, long fieldValue) {
        struct.set(window_right$LAYOUT, window_right$OFFSET, fieldValue);
    }

    private static final OfFloat softcap$LAYOUT = (OfFloat)$LAYOUT.select(groupElement("softcap"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * float softcap
     * }
     */
    public static final OfFloat softcap$layout() {
        return softcap$LAYOUT;
    }

    private static final long softcap$OFFSET = $LAYOUT.byteOffset(groupElement("softcap"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * float softcap
     * }
     */
    public static final long softcap$offset() {
        return softcap$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * float softcap
     * }
     */
    public static float softcap(MemorySegment struct) {
        return struct.get(softcap$LAYOUT, softcap$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * float softcap
     * }
     */
    public static void softcap(MemorySegment struct, float fieldValue) {
        struct.set(softcap$LAYOUT, softcap$OFFSET, fieldValue);
    }

    private static final OfInt window$LAYOUT = (OfInt)$LAYOUT.select(groupElement("window"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t window
     * }
     */
    public static final OfInt window$layout() {
        return window$LAYOUT;
    }

    private static final long window$OFFSET = $LAYOUT.byteOffset(groupElement("window"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t window
     * }
     */
    public static final long window$offset() {
        return window$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t window
     * }
     */
    public static int window(MemorySegment struct) {
        return struct.get(window$LAYOUT, window$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t window
     * }
     */
    public static void window(MemorySegment struct, int fieldValue) {
        struct.set(window$LAYOUT, window$OFFSET, fieldValue);
    }

    private static final AddressLayout cu_seqlens_q$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("cu_seqlens_q"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * const int32_t *cu_seqlens_q
     * }
     */
    public static final AddressLayout cu_seqlens_q$layout() {
        return cu_seqlens_q$LAYOUT;
    }

    private static final long cu_seqlens_q$OFFSET = $LAYOUT.byteOffset(groupElement("cu_seqlens_q"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * const int32_t *cu_seqlens_q
     * }
     */
    public static final long cu_seqlens_q$offset() {
        return cu_seqlens_q$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * const int32_t *cu_seqlens_q
     * }
     */
    public static MemorySegment cu_seqlens_q(MemorySegment struct) {
        return struct.get(cu_seqlens_q$LAYOUT, cu_seqlens_q$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * const int32_t *cu_seqlens_q
     * }
     */
    public static void cu_seqlens_q(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(cu_seqlens_q$LAYOUT, cu_seqlens_q$OFFSET, fieldValue);
    }

    private static final AddressLayout cu_seqlens_k$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("cu_seqlens_k"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * const int32_t *cu_seqlens_k
     * }
     */
    public static final AddressLayout cu_seqlens_k$layout() {
        return cu_seqlens_k$LAYOUT;
    }

    private static final long cu_seqlens_k$OFFSET = $LAYOUT.byteOffset(groupElement("cu_seqlens_k"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * const int32_t *cu_seqlens_k
     * }
     */
    public static final long cu_seqlens_k$offset() {
        return cu_seqlens_k$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * const int32_t *cu_seqlens_k
     * }
     */
    public static MemorySegment cu_seqlens_k(MemorySegment struct) {
        return struct.get(cu_seqlens_k$LAYOUT, cu_seqlens_k$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * const int32_t *cu_seqlens_k
     * }
     */
    public static void cu_seqlens_k(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(cu_seqlens_k$LAYOUT, cu_seqlens_k$OFFSET, fieldValue);
    }

    private static final AddressLayout block_table$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("block_table"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * const int32_t *block_table
     * }
     */
    public static final AddressLayout block_table$layout() {
        return block_table$LAYOUT;
    }

    private static final long block_table$OFFSET = $LAYOUT.byteOffset(groupElement("block_table"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * const int32_t *block_table
     * }
     */
    public static final long block_table$offset() {
        return block_table$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * const int32_t *block_table
     * }
     */
    public static MemorySegment block_table(MemorySegment struct) {
        return struct.get(block_table$LAYOUT, block_table$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * const int32_t *block_table
     * }
     */
    public static void block_table(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(block_table$LAYOUT, block_table$OFFSET, fieldValue);
    }

    private static final OfLong block_table_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("block_table_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t block_table_stride
     * }
     */
    public static final OfLong block_table_stride$layout() {
        return block_table_stride$LAYOUT;
    }

    private static final long block_table_stride$OFFSET = $LAYOUT.byteOffset(groupElement("block_table_stride"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t block_table_stride
     * }
     */
    public static final long block_table_stride$offset() {
        return block_table_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t block_table_stride
     * }
     */
    public static long block_table_stride(MemorySegment struct) {
        return struct.get(block_table_stride$LAYOUT, block_table_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t block_table_stride
     * }
     */
    public static void block_table_stride(MemorySegment struct, long fieldValue) {
        struct.set(block_table_stride$LAYOUT, block_table_stride$OFFSET, fieldValue);
    }

    private static final OfLong max_blocks_per_seq$LAYOUT = (OfLong)$LAYOUT.select(groupElement("max_blocks_per_seq"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t max_blocks_per_seq
     * }
     */
    public static final OfLong max_blocks_per_seq$layout() {
        return max_blocks_per_seq$LAYOUT;
    }

    private static final long max_blocks_per_seq$OFFSET = $LAYOUT.byteOffset(groupElement("max_blocks_per_seq"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t max_blocks_per_seq
     * }
     */
    public static final long max_blocks_per_seq$offset() {
        return max_blocks_per_seq$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t max_blocks_per_seq
     * }
     */
    public static long max_blocks_per_seq(MemorySegment struct) {
        return struct.get(max_blocks_per_seq$LAYOUT, max_blocks_per_seq$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t max_blocks_per_seq
     * }
     */
    public static void max_blocks_per_seq(MemorySegment struct, long fieldValue) {
        struct.set(max_blocks_per_seq$LAYOUT, max_blocks_per_seq$OFFSET, fieldValue);
    }

    private static final OfLong block_size$LAYOUT = (OfLong)$LAYOUT.select(groupElement("block_size"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t block_size
     * }
     */
    public static final OfLong block_size$layout() {
        return block_size$LAYOUT;
    }

    private static final long block_size$OFFSET = $LAYOUT.byteOffset(groupElement("block_size"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t block_size
     * }
     */
    public static final long block_size$offset() {
        return block_size$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t block_size
     * }
     */
    public static long block_size(MemorySegment struct) {
        return struct.get(block_size$LAYOUT, block_size$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t block_size
     * }
     */
    public static void block_size(MemorySegment struct, long fieldValue) {
        struct.set(block_size$LAYOUT, block_size$OFFSET, fieldValue);
    }

    private static final OfLong num_blocks$LAYOUT = (OfLong)$LAYOUT.select(groupElement("num_blocks"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t num_blocks
     * }
     */
    public static final OfLong num_blocks$layout() {
        return num_blocks$LAYOUT;
    }

    private static final long num_blocks$OFFSET = $LAYOUT.byteOffset(groupElement("num_blocks"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t num_blocks
     * }
     */
    public static final long num_blocks$offset() {
        return num_blocks$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t num_blocks
     * }
     */
    public static long num_blocks(MemorySegment struct) {
        return struct.get(num_blocks$LAYOUT, num_blocks$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t num_blocks
     * }
     */
    public static void num_blocks(MemorySegment struct, long fieldValue) {
        struct.set(num_blocks$LAYOUT, num_blocks$OFFSET, fieldValue);
    }

    private static final OfLong kv_dtype$LAYOUT = (OfLong)$LAYOUT.select(groupElement("kv_dtype"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t kv_dtype
     * }
     */
    public static final OfLong kv_dtype$layout() {
        return kv_dtype$LAYOUT;
    }

    private static final long kv_dtype$OFFSET = $LAYOUT.byteOffset(groupElement("kv_dtype"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t kv_dtype
     * }
     */
    public static final long kv_dtype$offset() {
        return kv_dtype$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t kv_dtype
     * }
     */
    public static long kv_dtype(MemorySegment struct) {
        return struct.get(kv_dtype$LAYOUT, kv_dtype$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t kv_dtype
     * }
     */
    public static void kv_dtype(MemorySegment struct, long fieldValue) {
        struct.set(kv_dtype$LAYOUT, kv_dtype$OFFSET, fieldValue);
    }

    private static final AddressLayout k_scale$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("k_scale"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * const float *k_scale
     * }
     */
    public static final AddressLayout k_scale$layout() {
        return k_scale$LAYOUT;
    }

    private static final long k_scale$OFFSET = $LAYOUT.byteOffset(groupElement("k_scale"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * const float *k_scale
     * }
     */
    public static final long k_scale$offset() {
        return k_scale$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * const float *k_scale
     * }
     */
    public static MemorySegment k_scale(MemorySegment struct) {
        return struct.get(k_scale$LAYOUT, k_scale$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * const float *k_scale
     * }
     */
    public static void k_scale(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(k_scale$LAYOUT, k_scale$OFFSET, fieldValue);
    }

    private static final AddressLayout v_scale$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("v_scale"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * const float *v_scale
     * }
     */
    public static final AddressLayout v_scale$layout() {
        return v_scale$LAYOUT;
    }

    private static final long v_scale$OFFSET = $LAYOUT.byteOffset(groupElement("v_scale"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * const float *v_scale
     * }
     */
    public static final long v_scale$offset() {
        return v_scale$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * const float *v_scale
     * }
     */
    public static MemorySegment v_scale(MemorySegment struct) {
        return struct.get(v_scale$LAYOUT, v_scale$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * const float *v_scale
     * }
     */
    public static void v_scale(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(v_scale$LAYOUT, v_scale$OFFSET, fieldValue);
    }

    private static final OfLong k_scale_batch_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("k_scale_batch_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t k_scale_batch_stride
     * }
     */
    public static final OfLong k_scale_batch_stride$layout() {
        return k_scale_batch_stride$LAYOUT;
    }

    private static final long k_scale_batch_stride$OFFSET = $LAYOUT.byteOffset(groupElement("k_scale_batch_stride"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t k_scale_batch_stride
     * }
     */
    public static final long k_scale_batch_stride$offset() {
        return k_scale_batch_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t k_scale_batch_stride
     * }
     */
    public static long k_scale_batch_stride(MemorySegment struct) {
        return struct.get(k_scale_batch_stride$LAYOUT, k_scale_batch_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t k_scale_batch_stride
     * }
     */
    public static void k_scale_batch_stride(MemorySegment struct, long fieldValue) {
        struct.set(k_scale_batch_stride$LAYOUT, k_scale_batch_stride$OFFSET, fieldValue);
    }

    private static final OfLong k_scale_head_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("k_scale_head_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t k_scale_head_stride
     * }
     */
    public static final OfLong k_scale_head_stride$layout() {
        return k_scale_head_stride$LAYOUT;
    }

    private static final long k_scale_head_stride$OFFSET = $LAYOUT.byteOffset(groupElement("k_scale_head_stride"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t k_scale_head_stride
     * }
     */
    public static final long k_scale_head_stride$offset() {
        return k_scale_head_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t k_scale_head_stride
     * }
     */
    public static long k_scale_head_stride(MemorySegment struct) {
        return struct.get(k_scale_head_stride$LAYOUT, k_scale_head_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t k_scale_head_stride
     * }
     */
    public static void k_scale_head_stride(MemorySegment struct, long fieldValue) {
        struct.set(k_scale_head_stride$LAYOUT, k_scale_head_stride$OFFSET, fieldValue);
    }

    private static final OfLong k_scale_row_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("k_scale_row_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t k_scale_row_stride
     * }
     */
    public static final OfLong k_scale_row_stride$layout() {
        return k_scale_row_stride$LAYOUT;
    }

    private static final long k_scale_row_stride$OFFSET = $LAYOUT.byteOffset(groupElement("k_scale_row_stride"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t k_scale_row_stride
     * }
     */
    public static final long k_scale_row_stride$offset() {
        return k_scale_row_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t k_scale_row_stride
     * }
     */
    public static long k_scale_row_stride(MemorySegment struct) {
        return struct.get(k_scale_row_stride$LAYOUT, k_scale_row_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t k_scale_row_stride
     * }
     */
    public static void k_scale_row_stride(MemorySegment struct, long fieldValue) {
        struct.set(k_scale_row_stride$LAYOUT, k_scale_row_stride$OFFSET, fieldValue);
    }

    private static final OfLong v_scale_batch_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("v_scale_batch_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t v_scale_batch_stride
     * }
     */
    public static final OfLong v_scale_batch_stride$layout() {
        return v_scale_batch_stride$LAYOUT;
    }

    private static final long v_scale_batch_stride$OFFSET = $LAYOUT.byteOffset(groupElement("v_scale_batch_stride"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t v_scale_batch_stride
     * }
     */
    public static final long v_scale_batch_stride$offset() {
        return v_scale_batch_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t v_scale_batch_stride
     * }
     */
    public static long v_scale_batch_stride(MemorySegment struct) {
        return struct.get(v_scale_batch_stride$LAYOUT, v_scale_batch_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t v_scale_batch_stride
     * }
     */
    public static void v_scale_batch_stride(MemorySegment struct, long fieldValue) {
        struct.set(v_scale_batch_stride$LAYOUT, v_scale_batch_stride$OFFSET, fieldValue);
    }

    private static final OfLong v_scale_head_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("v_scale_head_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t v_scale_head_stride
     * }
     */
    public static final OfLong v_scale_head_stride$layout() {
        return v_scale_head_stride$LAYOUT;
    }

    private static final long v_scale_head_stride$OFFSET = $LAYOUT.byteOffset(groupElement("v_scale_head_stride"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t v_scale_head_stride
     * }
     */
    public static final long v_scale_head_stride$offset() {
        return v_scale_head_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t v_scale_head_stride
     * }
     */
    public static long v_scale_head_stride(MemorySegment struct) {
        return struct.get(v_scale_head_stride$LAYOUT, v_scale_head_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t v_scale_head_stride
     * }
     */
    public static void v_scale_head_stride(MemorySegment struct, long fieldValue) {
        struct.set(v_scale_head_stride$LAYOUT, v_scale_head_stride$OFFSET, fieldValue);
    }

    private static final OfLong v_scale_row_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("v_scale_row_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t v_scale_row_stride
     * }
     */
    public static final OfLong v_scale_row_stride$layout() {
        return v_scale_row_stride$LAYOUT;
    }

    private static final long v_scale_row_stride$OFFSET = $LAYOUT.byteOffset(groupElement("v_scale_row_stride"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t v_scale_row_stride
     * }
     */
    public static final long v_scale_row_stride$offset() {
        return v_scale_row_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t v_scale_row_stride
     * }
     */
    public static long v_scale_row_stride(MemorySegment struct) {
        return struct.get(v_scale_row_stride$LAYOUT, v_scale_row_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t v_scale_row_stride
     * }
     */
    public static void v_scale_row_stride(MemorySegment struct, long fieldValue) {
        struct.set(v_scale_row_stride$LAYOUT, v_scale_row_stride$OFFSET, fieldValue);
    }

    private static final OfLong weights$LAYOUT = (OfLong)$LAYOUT.select(groupElement("weights"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t weights
     * }
     */
    public static final OfLong weights$layout() {
        return weights$LAYOUT;
    }

    private static final long weights$OFFSET = $LAYOUT.byteOffset(groupElement("weights"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t weights
     * }
     */
    public static final long weights$offset() {
        return weights$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t weights
     * }
     */
    public static long weights(MemorySegment struct) {
        return struct.get(weights$LAYOUT, weights$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t weights
     * }
     */
    public static void weights(MemorySegment struct, long fieldValue) {
        struct.set(weights$LAYOUT, weights$OFFSET, fieldValue);
    }

    /**
     * Obtains a slice of {@code arrayParam} which selects the array element at {@code index}.
     * The returned segment has address {@code arrayParam.address() + index * layout().byteSize()}
     */
    public static MemorySegment asSlice(MemorySegment array, long index) {
        return array.asSlice(layout().byteSize() * index);
    }

    /**
     * The size (in bytes) of this struct
     */
    public static long sizeof() { return layout().byteSize(); }

    /**
     * Allocate a segment of size {@code layout().byteSize()} using {@code allocator}
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate(layout());
    }

    /**
     * Allocate an array of size {@code elementCount} using {@code allocator}.
     * The returned segment has size {@code elementCount * layout().byteSize()}.
     */
    public static MemorySegment allocateArray(long elementCount, SegmentAllocator allocator) {
        return allocator.allocate(MemoryLayout.sequenceLayout(elementCount, layout()));
    }

    /**
     * Reinterprets {@code addr} using target {@code arena} and {@code cleanupAction} (if any).
     * The returned segment has size {@code layout().byteSize()}
     */
    public static MemorySegment reinterpret(MemorySegment addr, Arena arena, Consumer<MemorySegment> cleanup) {
        return reinterpret(addr, 1, arena, cleanup);
    }

    /**
     * Reinterprets {@code addr} using target {@code arena} and {@code cleanupAction} (if any).
     * The returned segment has size {@code elementCount * layout().byteSize()}
     */
    public static MemorySegment reinterpret(MemorySegment addr, long elementCount, Arena arena, Consumer<MemorySegment> cleanup) {
        return addr.reinterpret(layout().byteSize() * elementCount, arena, cleanup);
    }
}
