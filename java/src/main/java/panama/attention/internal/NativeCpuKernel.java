package panama.attention.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import panama.attention.AttentionException;
import panama.attention.CpuIsa;
import panama.attention.Tensor;
import panama.attention.TileScheduler;
import panama.attention.bindings.panattn_h;
import panama.attention.bindings.panattn_plan;

/**
 * NATIVE_CPU: fills one {@code panattn_params}, plans the call with one crossing into C
 * ({@code panattn_plan} validates everything and decides tiles and key splits), then runs
 * {@code panattn_forward} over tile ranges on the {@link panama.attention.TileScheduler}'s workers,
 * or, when the plan splits keys (decode on more workers than tiles), partial tiles and then merge
 * tiles. The tile-range calls do not validate again; they check that they were given the planned
 * struct.
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

    /** Null when this problem can run here, else why not. Backend selection asks this once per call. */
    public static String unsupported(Problem p) {
        String why = memoryRefusal(p);
        if (why != null) {
            return why;
        }
        if (p.cpuIsa() != CpuIsa.AUTO && panattn_h.panattn_isa_supported(p.cpuIsa().nativeCode()) == 0) {
            return "CPU path " + p.cpuIsa() + " is not supported by this CPU or build";
        }
        return null;
    }

    /**
     * What {@link #run} must refuse however it was reached: no library, or memory that has no native
     * address (a heap segment's "address" is an offset; C would read whatever lies there). Pure Java;
     * the CPU path is checked by {@code panattn_plan}, so it is not asked again here.
     */
    private static String memoryRefusal(Problem p) {
        String err = Natives.cpuError();
        if (err != null) {
            return err;
        }
        for (Tensor t : new Tensor[] {p.q(), p.k(), p.v(), p.out(), p.lse(), p.mask()}) {
            if (t != null && !t.segment().isNative()) {
                return "tensors must be off-heap (allocate them with an Arena); a heap segment cannot be passed to native code";
            }
        }
        return null;
    }

    public static void run(Problem p) {
        String why = memoryRefusal(p);
        if (why != null) {
            throw new AttentionException("NATIVE_CPU cannot run this call: " + why);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = KernelParams.host(p, arena);
            MemorySegment plan = panattn_plan.allocate(arena);
            // Planned before the hold: it reads only the params and our copy of the key lengths.
            check(panattn_h.panattn_plan(params, p.scheduler().threads(), plan));
            MemorySegment rawParams = MemorySegment.ofAddress(params.address());
            MemorySegment rawPlan = MemorySegment.ofAddress(plan.address());
            long tiles = panattn_plan.tiles(plan);
            long splits = panattn_plan.splits(plan);
            long bytes = panattn_plan.workspace_bytes(plan);
            NativeHold.run(p, () -> {
                if (splits > 1) {
                    runSplit(p, arena, rawParams, rawPlan, tiles, splits, bytes);
                } else {
                    TileScheduler.TileTask forward =
                            (begin, end) -> check(panattn_h.panattn_forward(rawParams, rawPlan, begin, end));
                    long[] ranges = ranges(p, tiles);
                    if (ranges != null) {
                        p.scheduler().run(ranges, forward);
                    } else if (isDecode(p) && kvBytes(p) <= ONE_THREAD_KV_BYTES) {
                        p.scheduler().run(new long[] {0, tiles}, forward); // one range: no worker woken
                    } else {
                        p.scheduler().run(tiles, grain(p, tiles), forward);
                    }
                }
            });
        }
    }

    /**
     * How the tiles are handed out: null for one at a time (which balances uneven tiles best), or
     * range bounds for paged decode (keys in pages, at most 4 query rows per sequence on average).
     * The kernel walks a range's tiles of one sequence (its heads, in tile order) page by page,
     * reading each page's runs of those heads back to back, where one head at a time reads 8 KiB
     * runs scattered over the pool (about half the contiguous speed at 16-key pages). So the
     * ranges are as few as keep every worker busy, one per thread, cut by work: a batched decode
     * tile costs its sequence's keys (plus a fixed part), so a long sequence's heads spread over
     * several threads and short ones share one. Packed queries (tiles numbered by sequence and
     * level) are cut into equal counts.
     */
    static long[] ranges(Problem p, long tiles) {
        Problem.Layout l = p.layout();
        if (l == null || l.blockTable() == null || tiles <= 1 || tiles > Integer.MAX_VALUE) {
            return null; // (more tiles than an array holds: one at a time, as before)
        }
        int parts = (int) Math.min(p.scheduler().threads(), tiles);
        long[] cost = null;
        if (l.cuSeqlensQ() == null && p.seqQ() <= 4 && p.keyLengths() != null && tiles == p.batch() * p.heads()) {
            cost = new long[(int) tiles]; // tile t is (t / heads, t % heads): one query block
            for (int t = 0; t < tiles; t++) {
                cost[t] = p.keyLengths()[(int) (t / p.heads())] + PER_TILE_KEYS;
            }
        } else if (l.cuSeqlensQ() == null || p.seqQ() > 4L * p.batch()) {
            return null;
        }
        return cut(tiles, parts, cost);
    }

    /**
     * How the partial tiles of a split paged decode go out: null for one at a time, or one equal
     * range per thread. They are numbered split by split, so with a split per thread (a sequence
     * on two threads: two splits) each range is one split of all the sequence's heads, which the
     * kernel walks page by page in address order: each thread reads whole pages, where threads
     * that share every page by heads read about half as fast.
     */
    static long[] splitRanges(Problem p, long splitTiles) {
        Problem.Layout l = p.layout();
        if (l == null || l.blockTable() == null || splitTiles <= 1 || splitTiles > Integer.MAX_VALUE) {
            return null;
        }
        return cut(splitTiles, (int) Math.min(p.scheduler().threads(), splitTiles), null);
    }

    /**
     * Tiles per range when they go out in equal ranges: 1 (the best balance) except for decode
     * (at most 4 query rows, keys not paged, not packed), whose tiles are a head's few rows each:
     * there a range holds about a quarter of a thread's share, so a call makes 4 downcalls per
     * thread instead of one per head (each costs its own checks and scratch: at a 16-key cache,
     * 32 heads took 13-16 us in single tiles and 6-8 us in one range, native alone), and a worker
     * that starts late still finds ranges left.
     */
    static long grain(Problem p, long tiles) {
        long quarterShare = tiles / (4L * p.scheduler().threads());
        return isDecode(p) && quarterShare > 1 ? quarterShare : 1;
    }

    /** At most 4 query rows a sequence, keys neither paged nor packed. */
    static boolean isDecode(Problem p) {
        Problem.Layout l = p.layout();
        return p.seqQ() <= 4 && (l == null || (l.blockTable() == null && l.cuSeqlensQ() == null));
    }

    /**
     * A decode call reading at most this much K and V runs as one range on the calling thread:
     * waking a worker cost 18 us in the caller and 45 us before it started (2-vCPU VM), more than
     * such a call takes alone (about 20 us at 25 GB/s).
     */
    static final long ONE_THREAD_KV_BYTES = 512 * 1024;

    /** K and V bytes a call reads at most: every kv head's seqK keys, in q's element size. */
    static long kvBytes(Problem p) {
        double bytes = 2.0 * p.batch() * p.kvHeads() * p.seqK() * p.headDim() * p.dtype().byteSize();
        return bytes >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) bytes;
    }

    /** A tile's fixed cost (set-up, finishing its rows), in keys read. */
    private static final long PER_TILE_KEYS = 64;

    /**
     * Bounds of {@code parts} ranges of {@code [0, tiles)} with about equal total cost (equal counts
     * when cost is null): range k ends before the tile whose midpoint passes k/parts of the total,
     * or where the tiles left are just enough for a tile per range left; no range is empty
     * ({@code 1 <= parts <= tiles}).
     */
    static long[] cut(long tiles, int parts, long[] cost) {
        double total = 0;
        for (long t = 0; t < tiles; t++) {
            total += cost == null ? 1 : cost[(int) t];
        }
        long[] bounds = new long[parts + 1];
        double acc = 0;
        int k = 1;
        for (long t = 0; t < tiles && k < parts; t++) {
            double c = cost == null ? 1 : cost[(int) t];
            boolean shareReached = acc + c / 2 > total * k / parts && tiles - t >= parts - k;
            boolean tilesRunOut = tiles - t == parts - k; // from here on, a tile per range
            if (t > bounds[k - 1] && (shareReached || tilesRunOut)) {
                bounds[k++] = t;
            }
            acc += c;
        }
        bounds[parts] = tiles;
        return bounds;
    }

    /**
     * Split-KV (decode with fewer tiles than workers): partial tiles (tile × key split) fill a
     * workspace, then merge tiles combine the splits by LSE into out. The workspace lives in the
     * caller's confined arena and reaches workers as a raw address, like the tensors: the caller
     * blocks until both passes are done.
     */
    private static void runSplit(Problem p, Arena arena, MemorySegment params, MemorySegment plan, long tiles,
                                 long splits, long bytes) {
        MemorySegment ws = MemorySegment.ofAddress(arena.allocate(bytes, 64).address());
        TileScheduler.TileTask partial =
                (begin, end) -> check(panattn_h.panattn_forward_partial(params, plan, ws, begin, end));
        long[] ranges = splitRanges(p, tiles * splits);
        if (ranges != null) {
            p.scheduler().run(ranges, partial);
        } else {
            p.scheduler().run(tiles * splits, partial);
        }
        TileScheduler.TileTask merge = (begin, end) -> check(panattn_h.panattn_merge_partial(params, plan, ws, begin, end));
        if ((double) tiles * p.seqQ() * splits * p.headDim() <= SMALL_MERGE) {
            p.scheduler().run(new long[] {0, tiles}, merge); // one range: no worker woken
        } else {
            p.scheduler().run(tiles, merge);
        }
    }

    /**
     * A merge of at most this many record elements (rows × splits × headDim) runs on the calling
     * thread: 32 heads of one decode row in 2 splits at d 128 are 8192 multiply-adds, a few
     * microseconds, where waking a worker costs tens (see {@link #ONE_THREAD_KV_BYTES}).
     */
    static final double SMALL_MERGE = 1 << 16;

    /** Turns a status code into an exception carrying this thread's native message. */
    public static void check(int status) {
        if (status != panattn_h.PANATTN_OK()) {
            String msg = panattn_h.panattn_last_error().getString(0);
            throw new AttentionException(status, "native attention failed (" + NativeStatus.name(status) + "): " + msg);
        }
    }

    /** The CPU path AUTO resolves to for F32 (and F16), for doctor. */
    public static CpuIsa bestIsa() {
        return isaOf(panattn_h.panattn_isa_best());
    }

    /** The CPU path AUTO resolves to for {@code dtype}'s calls (BF16 may take a product path). */
    public static CpuIsa autoIsa(panama.attention.DType dtype) {
        return isaOf(panattn_h.panattn_isa_auto(dtype.nativeCode()));
    }

    private static CpuIsa isaOf(int code) {
        for (CpuIsa isa : CpuIsa.values()) {
            if (isa.nativeCode() == code) {
                return isa;
            }
        }
        return CpuIsa.AUTO;
    }
}
