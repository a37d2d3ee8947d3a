package panama.attention.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import panama.attention.Tensor;
import panama.attention.bindings.panattn_params;

/**
 * The one filler of {@code panattn_params}, the struct both native libraries take (the CPU kernels,
 * and the CUDA kernels with device pointers): raw tensor addresses, sizes, strides in elements,
 * options. One place, so the CPU and GPU paths cannot describe a call differently.
 */
public final class KernelParams {
    private KernelParams() {
    }

    /** The struct for p in arena, with p's key lengths copied into arena (the CPU kernels read them there). */
    public static MemorySegment host(Problem p, Arena arena) {
        MemorySegment keyLengths = p.keyLengths() == null ? MemorySegment.NULL
                : MemorySegment.ofAddress(arena.allocateFrom(ValueLayout.JAVA_INT, p.keyLengths()).address());
        return fill(p, arena, keyLengths);
    }

    /**
     * The struct for p in arena, with the given key-lengths pointer (NULL for none): the CUDA kernels
     * read key lengths from device memory, which the caller owns.
     */
    public static MemorySegment fill(Problem p, Arena arena, MemorySegment keyLengths) {
        MemorySegment s = panattn_params.allocate(arena);
        panattn_params.q(s, raw(p.q()));
        panattn_params.out(s, raw(p.out()));
        panattn_params.lse(s, p.lse() == null ? MemorySegment.NULL : raw(p.lse()));
        panattn_params.mask(s, p.mask() == null ? MemorySegment.NULL : raw(p.mask()));
        panattn_params.key_lengths(s, keyLengths);
        panattn_params.batch(s, p.batch());
        panattn_params.heads(s, p.heads());
        panattn_params.kv_heads(s, p.kvHeads());
        panattn_params.seq_q(s, p.seqQ());
        panattn_params.seq_k(s, p.seqK());
        panattn_params.head_dim(s, p.headDim());
        panattn_params.q_batch_stride(s, p.q().stride(0));
        panattn_params.q_head_stride(s, p.q().stride(1));
        panattn_params.q_row_stride(s, p.q().stride(2));
        if (p.quantisedKv() == null) {
            panattn_params.k(s, raw(p.k()));
            panattn_params.v(s, raw(p.v()));
            panattn_params.k_batch_stride(s, p.k().stride(0));
            panattn_params.k_head_stride(s, p.k().stride(1));
            panattn_params.k_row_stride(s, p.k().stride(2));
            panattn_params.v_batch_stride(s, p.v().stride(0));
            panattn_params.v_head_stride(s, p.v().stride(1));
            panattn_params.v_row_stride(s, p.v().stride(2));
        } else {
            quantisedKv(s, p.quantisedKv());
        }
        panattn_params.out_batch_stride(s, p.out().stride(0));
        panattn_params.out_head_stride(s, p.out().stride(1));
        panattn_params.out_row_stride(s, p.out().stride(2));
        if (p.lse() != null) {
            panattn_params.lse_batch_stride(s, p.lse().stride(0));
            panattn_params.lse_head_stride(s, p.lse().stride(1));
        }
        panattn_params.mask_batch_stride(s, p.maskBatchStride());
        panattn_params.mask_head_stride(s, p.maskHeadStride());
        panattn_params.mask_row_stride(s, p.maskRowStride());
        panattn_params.softmax_scale(s, p.softmaxScale());
        panattn_params.causal(s, p.causal().nativeCode());
        panattn_params.dtype(s, p.dtype().nativeCode());
        panattn_params.isa(s, p.cpuIsa().nativeCode());
        panattn_params.weights(s, p.weights().nativeCode());
        Problem.Serving serving = p.serving();
        if (serving.windowed()) {
            panattn_params.window(s, 1);
            panattn_params.window_left(s, serving.windowLeft());
            panattn_params.window_right(s, serving.windowRight());
        }
        panattn_params.softcap(s, serving.softcap());
        panattn_params.alibi_slopes(s, serving.alibiSlopes() == null ? MemorySegment.NULL : slopes(serving.alibiSlopes(), arena));
        Problem.Layout layout = p.layout();
        panattn_params.cu_seqlens_q(s, ints(layout.cuSeqlensQ(), arena));
        panattn_params.cu_seqlens_k(s, ints(layout.cuSeqlensK(), arena));
        if (layout.blockTable() != null) {
            panattn_params.block_table(s, ints(layout.blockTable(), arena));
            panattn_params.block_table_stride(s, layout.maxBlocksPerSeq());
            panattn_params.max_blocks_per_seq(s, layout.maxBlocksPerSeq());
            panattn_params.block_size(s, layout.blockSize());
            panattn_params.num_blocks(s, layout.numBlocks());
        }
        return s;
    }

    /** An int32 array copied into arena (offsets, block tables), or NULL for none. */
    private static MemorySegment ints(int[] values, Arena arena) {
        return values == null ? MemorySegment.NULL
                : MemorySegment.ofAddress(arena.allocateFrom(ValueLayout.JAVA_INT, values).address());
    }

    /** K and V stored in another type than q (kv_dtype, and for I8 the scales with their strides). */
    private static void quantisedKv(MemorySegment s, QuantisedKv kv) {
        panattn_params.k(s, MemorySegment.ofAddress(kv.k().address()));
        panattn_params.v(s, MemorySegment.ofAddress(kv.v().address()));
        panattn_params.k_batch_stride(s, kv.kStrides()[0]);
        panattn_params.k_head_stride(s, kv.kStrides()[1]);
        panattn_params.k_row_stride(s, kv.kStrides()[2]);
        panattn_params.v_batch_stride(s, kv.vStrides()[0]);
        panattn_params.v_head_stride(s, kv.vStrides()[1]);
        panattn_params.v_row_stride(s, kv.vStrides()[2]);
        panattn_params.kv_dtype(s, kv.dtype().nativeCode());
        if (kv.kScale() != null) {
            long[] st = kv.scaleStrides();
            panattn_params.k_scale(s, MemorySegment.ofAddress(kv.kScale().address()));
            panattn_params.v_scale(s, MemorySegment.ofAddress(kv.vScale().address()));
            panattn_params.k_scale_batch_stride(s, st[0]);
            panattn_params.k_scale_head_stride(s, st[1]);
            panattn_params.k_scale_row_stride(s, st[2]);
            panattn_params.v_scale_batch_stride(s, st[0]);
            panattn_params.v_scale_head_stride(s, st[1]);
            panattn_params.v_scale_row_stride(s, st[2]);
        }
    }

    /**
     * The slopes copied into arena, contiguous: workers then read memory that lives as long as the
     * call's struct, whatever happens to the caller's tensor meanwhile.
     */
    private static MemorySegment slopes(Tensor t, Arena arena) {
        float[] values = new float[Math.toIntExact(t.size(0))];
        for (int h = 0; h < values.length; h++) {
            values[h] = Elements.get(t.segment(), panama.attention.DType.F32, h * t.stride(0));
        }
        return MemorySegment.ofAddress(arena.allocateFrom(ValueLayout.JAVA_FLOAT, values).address());
    }

    /** A zero-length view of t's address: what crosses into C, and what worker threads may hold. */
    private static MemorySegment raw(Tensor t) {
        return MemorySegment.ofAddress(t.segment().address());
    }
}
