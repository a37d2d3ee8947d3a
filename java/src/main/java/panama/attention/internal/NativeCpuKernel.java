package panama.attention.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import panama.attention.AttentionException;
import panama.attention.CpuIsa;
import panama.attention.Tensor;
import panama.attention.bindings.panattn_h;
import panama.attention.bindings.panattn_params;

/**
 * NATIVE_CPU: fills one {@code panattn_params} and runs {@code panattn_forward} over tile ranges
 * on the {@link panama.attention.TileScheduler}'s workers, or, when {@code panattn_splitkv_plan}
 * asks for key splits (decode on more workers than tiles), partial tiles and then merge tiles.
 *
 * <p>Workers receive raw addresses (zero-length segments), never the caller's segments: those
 * may belong to a confined arena, which other threads may not touch. The caller's thread blocks
 * until every worker is done, inside {@link NativeHold}, whose downcall keeps the real segments'
 * arenas acquired: a confined arena cannot close meanwhile, and closing a shared one from another
 * thread throws {@link IllegalStateException} there instead of freeing memory under the kernel.
 */
public final class NativeCpuKernel {
    private NativeCpuKernel() {
    }

    /** Null when this problem can run here, else why not. */
    public static String unsupported(Problem p) {
        String err = Natives.cpuError();
        if (err != null) {
            return err;
        }
        for (Tensor t : new Tensor[] {p.q(), p.k(), p.v(), p.out(), p.lse(), p.mask()}) {
            if (t != null && !t.segment().isNative()) {
                return "tensors must be off-heap (allocate them with an Arena); a heap segment cannot be passed to native code";
            }
        }
        if (p.cpuIsa() != CpuIsa.AUTO && panattn_h.panattn_isa_supported(p.cpuIsa().nativeCode()) == 0) {
            return "CPU path " + p.cpuIsa() + " is not supported by this CPU or build";
        }
        return null;
    }

    public static void run(Problem p) {
        String why = unsupported(p);
        if (why != null) {
            throw new AttentionException("NATIVE_CPU cannot run this call: " + why);
        }
        NativeHold.run(p, () -> runHeld(p));
    }

    /**
     * Interleaved K and V ([batch, seq, heads, d], what projections produce) are read in place: the
     * kernel prefetches each next key block itself when rows are not contiguous. (Until then this
     * class copied K and V heads-first per call, up to 192 MiB of scratch; the in-place kernel now
     * matches or beats that copy: N 4096, 8 heads, d 64 / 128, 3% / 7% faster than copy + heads-first
     * kernel, measured A/B in one process with native/dev/ab_libs.c.)
     */
    private static void runHeld(Problem p) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = fill(p, arena);
            check(panattn_h.panattn_validate(params));
            MemorySegment count = arena.allocate(ValueLayout.JAVA_LONG);
            check(panattn_h.panattn_tile_count(params, count));
            long tiles = count.get(ValueLayout.JAVA_LONG, 0);
            MemorySegment raw = MemorySegment.ofAddress(params.address());
            MemorySegment plan = arena.allocate(ValueLayout.JAVA_LONG, 2);
            check(panattn_h.panattn_splitkv_plan(params, p.scheduler().threads(), plan,
                    plan.asSlice(ValueLayout.JAVA_LONG.byteSize())));
            long splits = plan.getAtIndex(ValueLayout.JAVA_LONG, 0);
            if (splits > 1) {
                runSplit(p, arena, raw, tiles, splits, plan.getAtIndex(ValueLayout.JAVA_LONG, 1));
            } else {
                p.scheduler().run(tiles, (begin, end) -> check(panattn_h.panattn_forward(raw, begin, end)));
            }
        }
    }

    /**
     * Split-KV (decode with fewer tiles than workers): partial tiles (tile × key split) fill a
     * workspace, then merge tiles combine the splits by LSE into out. The workspace lives in the
     * caller's confined arena and reaches workers as a raw address, like the tensors: the caller
     * blocks until both passes are done.
     */
    private static void runSplit(Problem p, Arena arena, MemorySegment raw, long tiles, long splits, long bytes) {
        MemorySegment ws = MemorySegment.ofAddress(arena.allocate(bytes, 64).address());
        p.scheduler().run(tiles * splits,
                (begin, end) -> check(panattn_h.panattn_forward_partial(raw, splits, ws, begin, end)));
        p.scheduler().run(tiles, (begin, end) -> check(panattn_h.panattn_merge_partial(raw, splits, ws, begin, end)));
    }

    /** The params struct for p, allocated in arena (raw tensor addresses, strides in elements). */
    public static MemorySegment fill(Problem p, Arena arena) {
        MemorySegment s = panattn_params.allocate(arena);
        panattn_params.q(s, raw(p.q()));
        panattn_params.k(s, raw(p.k()));
        panattn_params.v(s, raw(p.v()));
        panattn_params.out(s, raw(p.out()));
        panattn_params.lse(s, p.lse() == null ? MemorySegment.NULL : raw(p.lse()));
        panattn_params.mask(s, p.mask() == null ? MemorySegment.NULL : raw(p.mask()));
        if (p.keyLengths() != null) {
            MemorySegment kl = arena.allocateFrom(ValueLayout.JAVA_INT, p.keyLengths());
            panattn_params.key_lengths(s, MemorySegment.ofAddress(kl.address()));
        } else {
            panattn_params.key_lengths(s, MemorySegment.NULL);
        }
        panattn_params.batch(s, p.batch());
        panattn_params.heads(s, p.heads());
        panattn_params.kv_heads(s, p.kvHeads());
        panattn_params.seq_q(s, p.seqQ());
        panattn_params.seq_k(s, p.seqK());
        panattn_params.head_dim(s, p.headDim());
        panattn_params.q_batch_stride(s, p.q().stride(0));
        panattn_params.q_head_stride(s, p.q().stride(1));
        panattn_params.q_row_stride(s, p.q().stride(2));
        panattn_params.k_batch_stride(s, p.k().stride(0));
        panattn_params.k_head_stride(s, p.k().stride(1));
        panattn_params.k_row_stride(s, p.k().stride(2));
        panattn_params.v_batch_stride(s, p.v().stride(0));
        panattn_params.v_head_stride(s, p.v().stride(1));
        panattn_params.v_row_stride(s, p.v().stride(2));
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
        return s;
    }

    private static MemorySegment raw(Tensor t) {
        return MemorySegment.ofAddress(t.segment().address());
    }

    /** Turns a status code into an exception carrying this thread's native message. */
    public static void check(int status) {
        if (status != panattn_h.PANATTN_OK()) {
            String msg = panattn_h.panattn_last_error().getString(0);
            throw new AttentionException(status, "native attention failed (" + statusName(status) + "): " + msg);
        }
    }

    static String statusName(int status) {
        if (status == panattn_h.PANATTN_ERR_INVALID_ARGUMENT()) {
            return "PANATTN_ERR_INVALID_ARGUMENT";
        } else if (status == panattn_h.PANATTN_ERR_UNSUPPORTED()) {
            return "PANATTN_ERR_UNSUPPORTED";
        } else if (status == panattn_h.PANATTN_ERR_OUT_OF_MEMORY()) {
            return "PANATTN_ERR_OUT_OF_MEMORY";
        } else if (status == panattn_h.PANATTN_ERR_INTERNAL()) {
            return "PANATTN_ERR_INTERNAL";
        }
        return "status " + status;
    }

    /** The CPU path AUTO resolves to, for doctor. */
    public static CpuIsa bestIsa() {
        int code = panattn_h.panattn_isa_best();
        for (CpuIsa isa : CpuIsa.values()) {
            if (isa.nativeCode() == code) {
                return isa;
            }
        }
        return CpuIsa.AUTO;
    }
}
