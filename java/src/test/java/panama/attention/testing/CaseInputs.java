package panama.attention.testing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import panama.attention.AttentionOptions;
import panama.attention.Backend;
import panama.attention.DType;
import panama.attention.Tensor;

/**
 * Random inputs for one {@link AttentionCase}, allocated in an arena: q, k, v (seeded, so every
 * backend sees the same values), the mask and key lengths, and fresh out/lse tensors per backend.
 */
public final class CaseInputs {
    public final AttentionCase c;
    public final Tensor q;
    public final Tensor k;
    public final Tensor v;
    public final Tensor mask;
    private final Arena arena;

    public CaseInputs(Arena arena, AttentionCase c, long seed) {
        this.arena = arena;
        this.c = c;
        SplittableRandom rnd = new SplittableRandom(seed);
        q = tensor(c.heads(), c.seqQ());
        k = tensor(c.kvHeads(), c.seqK());
        v = tensor(c.kvHeads(), c.seqK());
        fill(q, rnd, 1.5f);
        fill(k, rnd, 1.5f);
        fill(v, rnd, 1f);
        mask = buildMask(rnd);
    }

    private CaseInputs(Arena arena, AttentionCase c, Tensor q, Tensor k, Tensor v, Tensor mask) {
        this.arena = arena;
        this.c = c;
        this.q = q;
        this.k = k;
        this.v = v;
        this.mask = mask;
    }

    /** The same values (exactly: F16/BF16 widen losslessly) as F32 tensors in the same layout. */
    public CaseInputs asF32(Arena into) {
        AttentionCase f = new AttentionCase(c.id() + "-as-f32", c.batch(), c.heads(), c.kvHeads(), c.seqQ(), c.seqK(),
                c.headDim(), c.causal(), DType.F32, c.layout(), c.keyLengths(), c.mask(), c.lse(), c.offset());
        CaseInputs w = new CaseInputs(into, f, null, null, null, mask);
        Tensor q32 = w.tensor(c.heads(), c.seqQ());
        Tensor k32 = w.tensor(c.kvHeads(), c.seqK());
        Tensor v32 = w.tensor(c.kvHeads(), c.seqK());
        copy(q, q32);
        copy(k, k32);
        copy(v, v32);
        return new CaseInputs(into, f, q32, k32, v32, mask);
    }

    private static void copy(Tensor from, Tensor to) {
        long[] s = from.shape();
        for (long b = 0; b < s[0]; b++) {
            for (long h = 0; h < s[1]; h++) {
                for (long i = 0; i < s[2]; i++) {
                    for (long d = 0; d < s[3]; d++) {
                        to.set(from.get(b, h, i, d), b, h, i, d);
                    }
                }
            }
        }
    }

    /** A fresh output tensor in the case's layout and dtype, filled with NaN so a missed write shows. */
    public Tensor newOut() {
        Tensor out = tensor(c.heads(), c.seqQ());
        out.segment().fill((byte) 0xff);
        return out;
    }

    public Tensor newLse() {
        if (!c.lse()) {
            return null;
        }
        Tensor l = Tensor.allocate(arena, DType.F32, c.batch(), c.heads(), c.seqQ());
        l.segment().fill((byte) 0xff);
        return l;
    }

    public AttentionOptions.Builder options(Backend backend, Tensor lse) {
        return AttentionOptions.builder().backend(backend).causal(c.causal()).keyLengths(c.keyLengths())
                .mask(mask).lse(lse);
    }

    /** [batch, heads, seq, d] in the case's layout, starting c.offset() bytes into its segment. */
    private Tensor tensor(int heads, int seq) {
        long elems = (long) c.batch() * heads * seq * c.headDim();
        long bytes = elems * c.dtype().byteSize() + c.offset();
        MemorySegment seg = arena.allocate(bytes, 64).asSlice(c.offset());
        return c.layout() == AttentionCase.Layout.BSHD
                ? Tensor.bshd(seg, c.dtype(), c.batch(), seq, heads, c.headDim())
                : Tensor.contiguous(seg, c.dtype(), c.batch(), heads, seq, c.headDim());
    }

    private static void fill(Tensor t, SplittableRandom rnd, float amplitude) {
        long[] s = t.shape();
        for (long b = 0; b < s[0]; b++) {
            for (long h = 0; h < s[1]; h++) {
                for (long i = 0; i < s[2]; i++) {
                    for (long d = 0; d < s[3]; d++) {
                        t.set((float) ((rnd.nextDouble() * 2 - 1) * amplitude), b, h, i, d);
                    }
                }
            }
        }
    }

    private Tensor buildMask(SplittableRandom rnd) {
        return switch (c.mask()) {
            case NONE -> null;
            case FULL -> randomMask(c.batch(), c.heads(), rnd, false);
            case BROADCAST -> randomMask(1, 1, rnd, false);
            case FULLY_MASKED_ROWS -> randomMask(c.batch(), 1, rnd, true);
        };
    }

    private Tensor randomMask(int mb, int mh, SplittableRandom rnd, boolean maskedRows) {
        Tensor m = Tensor.allocate(arena, DType.F32, mb, mh, c.seqQ(), c.seqK());
        for (int b = 0; b < mb; b++) {
            for (int h = 0; h < mh; h++) {
                for (int i = 0; i < c.seqQ(); i++) {
                    boolean rowMasked = maskedRows && (i % 5 == 1 || (b == 1 && i % 2 == 0));
                    for (int j = 0; j < c.seqK(); j++) {
                        float x;
                        if (rowMasked) {
                            x = Float.NEGATIVE_INFINITY;
                        } else if (rnd.nextInt(8) == 0) {
                            x = Float.NEGATIVE_INFINITY; // hide some keys
                        } else {
                            x = (float) (rnd.nextDouble() * 4 - 2);
                        }
                        m.set(x, b, h, i, j);
                    }
                }
            }
        }
        return m;
    }
}
